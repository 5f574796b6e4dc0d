// The PostgreSQL key storage: the wrapped data keys, the erased ledger and the subject
// index in a schema of their own (default `<event schema>_keys`), which can get its own
// role and its own backups.
//
// Many processes share it, so a check and the write it guards must not be split by
// another process: addKey, erase, applyErased and indexSubjects each take a transaction
// advisory lock per subject (in increasing order of key, so two of them never deadlock)
// before they read the ledger. An erase and an addKey of one subject thus take turns:
// either the key is stored first and the erase deletes it, or the erase is recorded first
// and the addKey answers 'erased'. Under READ COMMITTED each statement after the lock
// sees what the other committed.
//
// rewrapAll and retireKeys change keys of every subject: they lock the keys table
// instead (EXCLUSIVE: reads go on, every other write waits), so an addKey or an erase
// that holds a subject's lock waits at its write to the keys table until they commit, and
// then sees what they wrote: an addKey of a pair given a new key answers that key, and an
// erase deletes it with the retired ones. They take no subject lock, so never deadlock
// with those that hold one.

import type { Pool, PoolClient, PoolConfig } from 'pg';
import { StoreClosedError, StoreOpenError, ValidationError } from '../../core/errors.js';
import { currentKeyTaken, erasedEntriesOf, newKeyOf, type ErasedEntry, type ExportedDataKey, type KeyPair, type KeyStorage, type StoredDataKey } from '../../store/key-storage.js';
import { loadPg } from './driver.js';
import { LOCK_KEY_SUBJECT, lockKey, quoteSchema } from './identifiers.js';
import { migrateKeys } from './key-schema.js';

export interface PostgresKeyStorageOptions {
  /** The key schema. Default 'eventline_keys', beside the default event schema 'eventline'. */
  schema?: string;
  /** Connections in the pool. Default 4: every call is one short transaction. */
  poolSize?: number;
}

const INT8 = 20;

const KEY_COLUMNS = `key_id AS "keyId", subject_hash AS "subjectHash", category, wrapped, kek_id AS "kekId", created_at AS "createdAt"`;

/** The statements, for the quoted key schema `s`. */
const statements = (s: string) => ({
  getSetting: `SELECT value FROM ${s}.settings WHERE name = $1`,
  // The no-op update makes RETURNING give the row that holds, whoever wrote it.
  initSetting: `INSERT INTO ${s}.settings AS held (name, value) VALUES ($1, $2)
    ON CONFLICT (name) DO UPDATE SET value = held.value RETURNING value`,
  setSetting: `INSERT INTO ${s}.settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
  currentKey: `SELECT ${KEY_COLUMNS} FROM ${s}.keys WHERE subject_hash = $1 AND category = $2 AND retired_at IS NULL`,
  // A key id taken by another pair is still an error: only the pair's current key settles a conflict.
  insertKey: `INSERT INTO ${s}.keys (key_id, subject_hash, category, wrapped, kek_id, created_at)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (subject_hash, category) WHERE retired_at IS NULL DO NOTHING`,
  keysById: `SELECT ${KEY_COLUMNS} FROM ${s}.keys WHERE key_id = ANY ($1::text[])`,
  isErased: `SELECT EXISTS (SELECT 1 FROM ${s}.erased WHERE subject_hash = $1 AND (category IS NULL OR category = $2)) AS erased`,
  // A line is recorded unless the ledger covers it: the whole subject, or this category.
  recordErased: `INSERT INTO ${s}.erased (subject_hash, category, erased_at)
    SELECT $1::text, $2::text, $3::bigint WHERE NOT EXISTS (
      SELECT 1 FROM ${s}.erased WHERE subject_hash = $1::text AND (category IS NULL OR category = $2::text))`,
  erasedEntries: `SELECT subject_hash AS "subjectHash", category, erased_at AS "erasedAt" FROM ${s}.erased ORDER BY erased_at, id`,
  deleteKeys: `DELETE FROM ${s}.keys WHERE subject_hash = $1 AND ($2::text IS NULL OR category = $2) RETURNING key_id AS "keyId"`,
  deletePositions: `DELETE FROM ${s}.subject_positions WHERE subject_hash = $1`,
  lockSubjects: `SELECT pg_advisory_xact_lock(${LOCK_KEY_SUBJECT}, k) FROM unnest($1::int[]) AS k`,
  // Other writers wait until the rewrap commits; readers go on with the old wrappings.
  lockKeys: `LOCK TABLE ${s}.keys IN EXCLUSIVE MODE`,
  allKeys: `SELECT ${KEY_COLUMNS} FROM ${s}.keys`,
  exportKeys: `SELECT ${KEY_COLUMNS}, retired_at AS "retiredAt" FROM ${s}.keys ORDER BY key_id`,
  // The keys not here yet, of pairs the ledger has not erased, by their place in the import.
  importable: `SELECT u.i FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(key_id, subject_hash, category, i)
    WHERE NOT EXISTS (SELECT 1 FROM ${s}.keys k WHERE k.key_id = u.key_id)
      AND NOT EXISTS (SELECT 1 FROM ${s}.erased e WHERE e.subject_hash = u.subject_hash AND (e.category IS NULL OR e.category = u.category))
    ORDER BY u.i`,
  takenCurrent: `SELECT u.key_id AS "keyId" FROM unnest($1::text[], $2::text[], $3::text[]) AS u(key_id, subject_hash, category)
    WHERE EXISTS (SELECT 1 FROM ${s}.keys k WHERE k.subject_hash = u.subject_hash AND k.category = u.category AND k.retired_at IS NULL) LIMIT 1`,
  importKeys: `INSERT INTO ${s}.keys (key_id, subject_hash, category, wrapped, kek_id, created_at, retired_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])`,
  // The pairs whose current key retireKeys replaces: those the ledger has not erased.
  currentPairs: `SELECT subject_hash AS "subjectHash", category FROM ${s}.keys AS k WHERE retired_at IS NULL AND NOT EXISTS (
    SELECT 1 FROM ${s}.erased AS e WHERE e.subject_hash = k.subject_hash AND (e.category IS NULL OR e.category = k.category))`,
  retireKeys: `UPDATE ${s}.keys AS k SET retired_at = $1 FROM unnest($2::text[], $3::text[]) AS u(subject_hash, category)
    WHERE k.subject_hash = u.subject_hash AND k.category = u.category AND k.retired_at IS NULL`,
  insertKeys: `INSERT INTO ${s}.keys (key_id, subject_hash, category, wrapped, kek_id, created_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])`,
  rewrap: `UPDATE ${s}.keys AS k SET wrapped = u.wrapped, kek_id = u.kek_id
    FROM unnest($1::text[], $2::text[], $3::text[]) AS u(key_id, wrapped, kek_id) WHERE k.key_id = u.key_id`,
  // Positions of a subject erased whole are not noted again: it has nothing left to give.
  indexSubjects: `INSERT INTO ${s}.subject_positions (subject_hash, position)
    SELECT u.subject_hash, u.position FROM unnest($1::text[], $2::bigint[]) AS u(subject_hash, position)
    WHERE NOT EXISTS (SELECT 1 FROM ${s}.erased e WHERE e.subject_hash = u.subject_hash AND e.category IS NULL)
    ON CONFLICT DO NOTHING`,
  positionsOf: `SELECT position FROM ${s}.subject_positions WHERE subject_hash = $1 ORDER BY position`,
  /*
   * What VACUUM gives after an erase: the deleted rows' dead tuples are removed from the
   * table's pages and their index entries from the indexes, so their space is marked
   * reusable and no query, plan or page inspection through the server finds them; new
   * rows overwrite that space in time. What it cannot do: the bytes stay on disk until a
   * page is overwritten (VACUUM does not zero them); the WAL segments written since
   * (and their archives), streaming replicas until they replay and vacuum themselves,
   * and every backup keep the key as it was. VACUUM FULL would rewrite the table into a
   * new file, but the old file's blocks are only freed to the filesystem, not zeroed.
   * A tuple that a still-open transaction's snapshot can see is not removed until that
   * transaction ends (autovacuum gets it later). What makes the key unreadable
   * everywhere is the key-encryption key, which none of those copies holds in the clear.
   */
  vacuum: `VACUUM ${s}.keys`,
});

/**
 * Opens (and creates where missing) the key schema on the server `connectionString` names.
 *
 * @example
 * const keys = await openPostgresKeyStorage('postgres://app@db/prod', { schema: 'eventline_keys' });
 */
export async function openPostgresKeyStorage(connectionString: string, options: PostgresKeyStorageOptions = {}): Promise<KeyStorage> {
  const schema = options.schema ?? 'eventline_keys';
  const s = quoteSchema(schema);
  const pg = await loadPg();
  const config: PoolConfig = {
    connectionString,
    max: options.poolSize ?? 4,
    // Times and positions are plain numbers (exact up to 2^53).
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  };
  const pool = new pg.Pool(config);
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      await migrateKeys(client, s, schema);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw new StoreOpenError(connectionString, (error as Error).message, { cause: error });
  }
  return postgresKeyStorage(pool, schema, s);
}

function postgresKeyStorage(pool: Pool, schema: string, s: string): KeyStorage {
  const sql = statements(s);
  let closed = false;

  function live(): Pool {
    if (closed) throw new StoreClosedError();
    return pool;
  }

  async function transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await live().connect();
    // A connection whose ROLLBACK failed is in no known state: the pool drops it.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((failed: Error) => (broken = failed));
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  /** Takes the subjects' locks, each once and in increasing order of key. */
  async function lockSubjects(client: PoolClient, subjectHashes: Iterable<string>): Promise<void> {
    const keys = [...new Set([...subjectHashes].map((subjectHash) => lockKey(`${schema}/${subjectHash}`)))].sort((a, b) => a - b);
    if (keys.length > 0) await client.query(sql.lockSubjects, [keys]);
  }

  async function isErased(client: Pool | PoolClient, subjectHash: string, category: string): Promise<boolean> {
    const { rows } = await client.query<{ erased: boolean }>(sql.isErased, [subjectHash, category]);
    return rows[0]!.erased;
  }

  /** Records the entries the ledger lacks and deletes the keys they cover, in one transaction; then VACUUM. */
  async function eraseAll(entries: readonly ErasedEntry[]): Promise<{ keyIds: string[] }> {
    const keyIds = await transaction(async (client) => {
      await lockSubjects(client, entries.map((e) => e.subjectHash));
      const deleted: string[] = [];
      for (const { subjectHash, category, erasedAt } of entries) {
        await client.query(sql.recordErased, [subjectHash, category, erasedAt]);
        const { rows } = await client.query<{ keyId: string }>(sql.deleteKeys, [subjectHash, category]);
        deleted.push(...rows.map((row) => row.keyId));
        // The other categories of a subject erased in part still hold data to give on request.
        if (category === null) await client.query(sql.deletePositions, [subjectHash]);
      }
      return deleted;
    });
    // VACUUM cannot run inside a transaction; what it gives and what it cannot: see `vacuum`.
    // Should it fail, the erase has committed all the same: the error reaches the caller,
    // and erasing again (idempotent) vacuums again.
    await live().query(sql.vacuum);
    return { keyIds };
  }

  return {
    kind: 'postgres',

    async getSetting(name) {
      const { rows } = await live().query<{ value: string }>(sql.getSetting, [name]);
      return rows[0]?.value;
    },

    async initSetting(name, value) {
      const { rows } = await live().query<{ value: string }>(sql.initSetting, [name, value]);
      return rows[0]!.value;
    },

    async setSetting(name, value) {
      await live().query(sql.setSetting, [name, value]);
    },

    async currentKey(subjectHash, category) {
      const { rows } = await live().query<StoredDataKey>(sql.currentKey, [subjectHash, category]);
      return rows[0];
    },

    addKey: (key) =>
      transaction(async (client): Promise<StoredDataKey | 'erased'> => {
        const { keyId, subjectHash, category, wrapped, kekId, createdAt } = key;
        await lockSubjects(client, [subjectHash]);
        if (await isErased(client, subjectHash, category)) return 'erased';
        const { rowCount } = await client.query(sql.insertKey, [keyId, subjectHash, category, wrapped, kekId, createdAt]);
        if (rowCount === 1) return { keyId, subjectHash, category, wrapped, kekId, createdAt };
        const { rows } = await client.query<StoredDataKey>(sql.currentKey, [subjectHash, category]);
        return rows[0]!;
      }),

    async keysById(keyIds) {
      const { rows } = await live().query<StoredDataKey>(sql.keysById, [[...keyIds]]);
      return rows;
    },

    erase: (subjectHash, categories, at) => eraseAll(erasedEntriesOf(subjectHash, categories, at)),

    isErased: (subjectHash, category) => isErased(live(), subjectHash, category),

    async erasedEntries() {
      const { rows } = await live().query<ErasedEntry>(sql.erasedEntries);
      return rows;
    },

    applyErased: (entries) => eraseAll(entries),

    rewrapAll: (rewrap) =>
      transaction(async (client) => {
        await client.query(sql.lockKeys);
        const { rows } = await client.query<StoredDataKey>(sql.allKeys);
        const rewrapped = rows.map((key) => rewrap({ ...key }));
        await client.query(sql.rewrap, [rows.map((key) => key.keyId), rewrapped.map((r) => r.wrapped), rewrapped.map((r) => r.kekId)]);
        return rows.length;
      }),

    async exportKeys() {
      // bigint columns may come back as text: times are numbers here.
      const { rows } = await live().query<Omit<ExportedDataKey, 'createdAt' | 'retiredAt'> & { createdAt: string; retiredAt: string | null }>(sql.exportKeys);
      return rows.map((row) => ({ ...row, createdAt: Number(row.createdAt), retiredAt: row.retiredAt === null ? null : Number(row.retiredAt) }));
    },

    importKeys: (keys) =>
      transaction(async (client) => {
        if (keys.length === 0) return 0;
        await client.query(sql.lockKeys);
        const column = <K extends keyof ExportedDataKey>(from: readonly ExportedDataKey[], name: K) => from.map((key) => key[name]);
        const { rows } = await client.query<{ i: string }>(sql.importable, [column(keys, 'keyId'), column(keys, 'subjectHash'), column(keys, 'category')]);
        const fresh = rows.map((row) => keys[Number(row.i) - 1]!);
        const currents = fresh.filter((key) => key.retiredAt === null);
        const { rows: taken } = await client.query<{ keyId: string }>(sql.takenCurrent, [column(currents, 'keyId'), column(currents, 'subjectHash'), column(currents, 'category')]);
        if (taken[0] !== undefined) throw new ValidationError('keys', currentKeyTaken(taken[0].keyId));
        await client.query(sql.importKeys, [
          column(fresh, 'keyId'), column(fresh, 'subjectHash'), column(fresh, 'category'), column(fresh, 'wrapped'), column(fresh, 'kekId'), column(fresh, 'createdAt'), column(fresh, 'retiredAt'),
        ]);
        return fresh.length;
      }),

    retireKeys: (at, makeKey) =>
      transaction(async (client) => {
        await client.query(sql.lockKeys);
        const { rows: pairs } = await client.query<KeyPair>(sql.currentPairs);
        const made = pairs.map((pair) => newKeyOf(makeKey, pair));
        if (made.length === 0) return 0;
        // Retired first: the new keys are current, and only one key of a pair may be.
        await client.query(sql.retireKeys, [at, pairs.map((p) => p.subjectHash), pairs.map((p) => p.category)]);
        const column = <K extends keyof StoredDataKey>(name: K) => made.map((key) => key[name]);
        await client.query(sql.insertKeys, [column('keyId'), column('subjectHash'), column('category'), column('wrapped'), column('kekId'), column('createdAt')]);
        return made.length;
      }),

    indexSubjects: (entries) =>
      transaction(async (client) => {
        if (entries.length === 0) return;
        // Under the subjects' locks, so an erase running beside it cannot miss a position.
        await lockSubjects(client, entries.map((e) => e.subjectHash));
        await client.query(sql.indexSubjects, [entries.map((e) => e.subjectHash), entries.map((e) => e.position)]);
      }),

    async positionsOf(subjectHash) {
      const { rows } = await live().query<{ position: number }>(sql.positionsOf, [subjectHash]);
      return rows.map((row) => row.position);
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

