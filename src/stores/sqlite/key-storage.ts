// The SQLite key storage: the wrapped data keys, the erased ledger and the subject index in
// a file of their own (by default keys.db beside the event store), so the keys can be
// backed up, restored and shredded apart from the events.
//
// Forgetting has to reach the disk, not just the queries: secure_delete makes SQLite zero
// the bytes of every deleted row and freed page, and after an erase a checkpoint that
// truncates copies the zeroed pages into the file and empties the -wal file, which would
// otherwise keep the frames that still hold the key. Keys must survive a crash, so every
// commit is synced (synchronous = FULL). better-sqlite3 is synchronous and each call below
// runs to its end in one transaction, so calls in one process never interleave; other
// processes wait for the write lock (BEGIN IMMEDIATE, busy_timeout).

import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { StoreBusyError, StoreClosedError, StoreOpenError, ValidationError } from '../../core/errors.js';
import { currentKeyTaken, erasedEntriesOf, newKeyOf, type ErasedEntry, type ExportedDataKey, type KeyPair, type KeyStorage, type StoredDataKey } from '../../store/key-storage.js';
import { openDatabase } from '../sqlite-db/driver.js';
import { migrateKeys } from './key-schema.js';

/** How long a call waits for another process's write lock before StoreBusyError. */
const LOCK_TIMEOUT_MS = 60_000;

const KEY_COLUMNS = `key_id AS keyId, subject_hash AS subjectHash, category, wrapped, kek_id AS kekId, created_at AS createdAt`;

const SQL = {
  getSetting: `SELECT value FROM settings WHERE name = ?`,
  initSetting: `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
  setSetting: `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
  currentKey: `SELECT ${KEY_COLUMNS} FROM keys WHERE subject_hash = ? AND category = ? AND retired_at IS NULL`,
  insertKey: `INSERT INTO keys (key_id, subject_hash, category, wrapped, kek_id, created_at)
    VALUES (@keyId, @subjectHash, @category, @wrapped, @kekId, @createdAt)`,
  // One statement for any number of ids: they arrive as one JSON array.
  keysById: `SELECT ${KEY_COLUMNS} FROM keys WHERE key_id IN (SELECT value FROM json_each(?))`,
  allKeys: `SELECT ${KEY_COLUMNS} FROM keys`,
  exportKeys: `SELECT ${KEY_COLUMNS}, retired_at AS retiredAt FROM keys ORDER BY key_id`,
  keyExists: `SELECT 1 FROM keys WHERE key_id = ?`,
  currentExists: `SELECT 1 FROM keys WHERE subject_hash = ? AND category = ? AND retired_at IS NULL`,
  importKey: `INSERT INTO keys (key_id, subject_hash, category, wrapped, kek_id, created_at, retired_at)
    VALUES (@keyId, @subjectHash, @category, @wrapped, @kekId, @createdAt, @retiredAt)`,
  // The pairs whose current key retireKeys replaces: those the ledger has not erased.
  currentPairs: `SELECT subject_hash AS subjectHash, category FROM keys AS k WHERE retired_at IS NULL AND NOT EXISTS (
    SELECT 1 FROM erased AS e WHERE e.subject_hash = k.subject_hash AND (e.category IS NULL OR e.category = k.category))`,
  retireKey: `UPDATE keys SET retired_at = ? WHERE subject_hash = ? AND category = ? AND retired_at IS NULL`,
  rewrapKey: `UPDATE keys SET wrapped = ?, kek_id = ? WHERE key_id = ?`,
  isErased: `SELECT 1 FROM erased WHERE subject_hash = ? AND (category IS NULL OR category = ?) LIMIT 1`,
  whollyErased: `SELECT 1 FROM erased WHERE subject_hash = ? AND category IS NULL`,
  recordErased: `INSERT INTO erased (subject_hash, category, erased_at) VALUES (?, ?, ?)`,
  erasedEntries: `SELECT subject_hash AS subjectHash, category, erased_at AS erasedAt FROM erased ORDER BY erased_at, rowid`,
  deleteSubjectKeys: `DELETE FROM keys WHERE subject_hash = ? RETURNING key_id`,
  deleteCategoryKeys: `DELETE FROM keys WHERE subject_hash = ? AND category = ? RETURNING key_id`,
  deletePositions: `DELETE FROM subject_positions WHERE subject_hash = ?`,
  indexSubject: `INSERT INTO subject_positions (subject_hash, position) VALUES (?, ?) ON CONFLICT DO NOTHING`,
  positionsOf: `SELECT position FROM subject_positions WHERE subject_hash = ? ORDER BY position`,
} as const;

/**
 * Opens (and creates where missing, with its folder) the key file at `path`, or a key
 * storage in memory for ':memory:'. A new file is readable by its owner only.
 *
 * @example
 * const keys = await openSqliteKeyStorage('./data/keys.db');
 */
export async function openSqliteKeyStorage(path: string): Promise<KeyStorage> {
  const where = `sqlite:${path}`;
  let db: Database;
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // SQLite would create the file with the umask's mode; made here first, it is 0600,
      // and SQLite gives its -wal and -shm files the mode of the database file.
      closeSync(openSync(path, 'a', 0o600));
    }
    db = await openDatabase(path, { timeout: LOCK_TIMEOUT_MS });
  } catch (error) {
    throw new StoreOpenError(where, (error as Error).message, { cause: error });
  }
  try {
    db.pragma('secure_delete = ON');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrateKeys(db);
  } catch (error) {
    db.close();
    throw new StoreOpenError(where, (error as Error).message, { cause: error });
  }
  return sqliteKeyStorage(db);
}

function sqliteKeyStorage(db: Database): KeyStorage {
  const q = Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)])) as { [name in keyof typeof SQL]: Statement };
  let closed = false;

  /** Runs `operation` on the open file; a lock held past busy_timeout is a StoreBusyError. */
  async function run<T>(operation: () => T): Promise<T> {
    if (closed) throw new StoreClosedError();
    try {
      return operation();
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new StoreBusyError(LOCK_TIMEOUT_MS, { cause: error });
      throw error;
    }
  }

  /** BEGIN IMMEDIATE: the write lock first, so what is checked still holds at the write. */
  const transaction = <A extends unknown[], T>(work: (...args: A) => T) => {
    const wrapped = db.transaction(work);
    return (...args: A) => wrapped.immediate(...args);
  };

  /** Copies every page into the file and empties the -wal file, where deleted rows' old frames remain. */
  const checkpoint = () => db.pragma('wal_checkpoint(TRUNCATE)');

  const erased = (subjectHash: string, category: string) => q.isErased.get(subjectHash, category) !== undefined;
  const whollyErased = (subjectHash: string) => q.whollyErased.get(subjectHash) !== undefined;

  /** Records `entry` unless the ledger covers it already, and deletes the keys it covers (see KeyStorage.erase). */
  function applyEntry({ subjectHash, category, erasedAt }: ErasedEntry): string[] {
    const covered = category === null ? whollyErased(subjectHash) : erased(subjectHash, category);
    if (!covered) q.recordErased.run(subjectHash, category, erasedAt);
    const deleted = category === null ? q.deleteSubjectKeys.pluck().all(subjectHash) : q.deleteCategoryKeys.pluck().all(subjectHash, category);
    // The other categories of a subject erased in part still hold data to give on request.
    if (category === null) q.deletePositions.run(subjectHash);
    return deleted as string[];
  }

  const initSetting = transaction((name: string, value: string) => {
    q.initSetting.run(name, value);
    return q.getSetting.pluck().get(name) as string;
  });

  const addKey = transaction((key: StoredDataKey): StoredDataKey | 'erased' => {
    if (erased(key.subjectHash, key.category)) return 'erased';
    const existing = q.currentKey.get(key.subjectHash, key.category) as StoredDataKey | undefined;
    if (existing !== undefined) return existing;
    const { keyId, subjectHash, category, wrapped, kekId, createdAt } = key;
    q.insertKey.run({ keyId, subjectHash, category, wrapped, kekId, createdAt });
    return { keyId, subjectHash, category, wrapped, kekId, createdAt };
  });

  const applyEntries = transaction((entries: readonly ErasedEntry[]) => entries.flatMap(applyEntry));

  const rewrapAll = transaction((rewrap: (key: StoredDataKey) => { wrapped: string; kekId: string }) => {
    // All read first: better-sqlite3 cannot update a table while iterating over it.
    const keys = q.allKeys.all() as StoredDataKey[];
    for (const key of keys) {
      const { wrapped, kekId } = rewrap({ ...key });
      q.rewrapKey.run(wrapped, kekId, key.keyId);
    }
    return keys.length;
  });

  const importKeys = transaction((keys: readonly ExportedDataKey[]) => {
    let stored = 0;
    for (const key of keys) {
      if (q.keyExists.get(key.keyId) !== undefined || q.isErased.get(key.subjectHash, key.category) !== undefined) continue;
      if (key.retiredAt === null && q.currentExists.get(key.subjectHash, key.category) !== undefined) throw new ValidationError('keys', currentKeyTaken(key.keyId));
      const { keyId, subjectHash, category, wrapped, kekId, createdAt, retiredAt } = key;
      q.importKey.run({ keyId, subjectHash, category, wrapped, kekId, createdAt, retiredAt });
      stored++;
    }
    return stored;
  });

  const retireKeys = transaction((at: number, makeKey: (pair: KeyPair) => StoredDataKey) => {
    // All read first: better-sqlite3 cannot update a table while iterating over it.
    const pairs = q.currentPairs.all() as KeyPair[];
    for (const pair of pairs) {
      const key = newKeyOf(makeKey, pair);
      q.retireKey.run(at, pair.subjectHash, pair.category);
      q.insertKey.run(key);
    }
    return pairs.length;
  });

  const indexSubjects = transaction((entries: readonly { subjectHash: string; position: number }[]) => {
    for (const { subjectHash, position } of entries) {
      // An erased subject has nothing left to give on request.
      if (!whollyErased(subjectHash)) q.indexSubject.run(subjectHash, position);
    }
  });

  /** Erases in one transaction, then pushes the deleted bytes out of the -wal file. */
  const eraseAll = (entries: readonly ErasedEntry[]) =>
    run(() => {
      const keyIds = applyEntries(entries);
      checkpoint();
      return { keyIds };
    });

  return {
    kind: 'sqlite',

    getSetting: (name) => run(() => q.getSetting.pluck().get(name) as string | undefined),
    initSetting: (name, value) => run(() => initSetting(name, value)),
    setSetting: (name, value) =>
      run(() => {
        q.setSetting.run(name, value);
      }),

    currentKey: (subjectHash, category) => run(() => q.currentKey.get(subjectHash, category) as StoredDataKey | undefined),
    addKey: (key) => run(() => addKey(key)),
    keysById: (keyIds) => run(() => q.keysById.all(JSON.stringify(keyIds)) as StoredDataKey[]),

    erase: (subjectHash, categories, at) => eraseAll(erasedEntriesOf(subjectHash, categories, at)),
    isErased: (subjectHash, category) => run(() => erased(subjectHash, category)),
    erasedEntries: () => run(() => q.erasedEntries.all() as ErasedEntry[]),
    applyErased: (entries) => eraseAll(entries),

    retireKeys: (at, makeKey) => run(() => retireKeys(at, makeKey)),

    rewrapAll: (rewrap) =>
      run(() => {
        const count = rewrapAll(rewrap);
        // The keys under the old key-encryption key leave the -wal file too.
        checkpoint();
        return count;
      }),

    exportKeys: () => run(() => q.exportKeys.all() as ExportedDataKey[]),
    importKeys: (keys) => run(() => importKeys(keys)),
    indexSubjects: (entries) => run(() => indexSubjects(entries)),
    positionsOf: (subjectHash) => run(() => q.positionsOf.pluck().all(subjectHash) as number[]),

    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

