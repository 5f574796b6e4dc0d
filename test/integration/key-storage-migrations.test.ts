// Upgrades of a key storage: given a SQLite key file or a PostgreSQL key schema that key
// schema step 1 alone built, holding a setting, two keys, a ledger line and a position,
// when this Eventline opens it, then its schema is what a key storage created today has,
// everything it held reads back as it was, and its keys can be retired.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { KeyStorage, StoredDataKey } from '../../src/store/key-storage.js';
import { quoteSchema } from '../../src/stores/postgres/identifiers.js';
import { createKeys as createPostgresKeys } from '../../src/stores/postgres/key-migrations/001-keys.js';
import { KEY_SCHEMA_VERSION as POSTGRES_KEY_SCHEMA_VERSION } from '../../src/stores/postgres/key-schema.js';
import { openPostgresKeyStorage } from '../../src/stores/postgres/key-storage.js';
import { createKeys as createSqliteKeys } from '../../src/stores/sqlite/key-migrations/001-keys.js';
import { KEY_SCHEMA_VERSION as SQLITE_KEY_SCHEMA_VERSION } from '../../src/stores/sqlite/key-schema.js';
import { openSqliteKeyStorage } from '../../src/stores/sqlite/key-storage.js';
import { postgresTestUrl } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-key-migrations-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const key = (keyId: string, category: string): StoredDataKey => ({
  keyId,
  subjectHash: 's1',
  category,
  wrapped: Buffer.from(`sealed ${keyId}`).toString('base64'),
  kekId: 'kek-1',
  createdAt: 1_700_000_000_000,
});
/** What a step-1 key storage holds: s1's keys of two categories, s2 erased, s1 at position 8. */
const PROFILE = key('s1.profile.0001', 'profile');
const CONTACT = key('s1.contact.0002', 'contact');
const KEYS = [PROFILE, CONTACT];
const keyRow = (k: StoredDataKey) => [k.keyId, k.subjectHash, k.category, k.wrapped, k.kekId, k.createdAt];

/** Everything the step-1 key storage held reads back; then its keys are retired, and an erase deletes old and new. */
async function assertUpgraded(keys: KeyStorage): Promise<void> {
  assert.equal(await keys.getSetting('check'), 'kek-1');
  for (const k of KEYS) assert.deepEqual(await keys.currentKey(k.subjectHash, k.category), k);
  assert.deepEqual(await keys.addKey(key('s1.profile.0003', 'profile')), PROFILE, 'the stored key is the current one');
  assert.deepEqual(await keys.erasedEntries(), [{ subjectHash: 's2', category: null, erasedAt: 500 }]);
  assert.equal(await keys.addKey({ ...key('s2.profile.0004', 'profile'), subjectHash: 's2' }), 'erased');
  assert.deepEqual(await keys.positionsOf('s1'), [8]);

  const made: StoredDataKey[] = [];
  const retired = await keys.retireKeys(1_000, ({ category }) => {
    made.push(key(`s1.${category}.new`, category));
    return made.at(-1)!;
  });
  assert.equal(retired, 2);
  assert.deepEqual(await keys.currentKey('s1', 'profile'), made.find((k) => k.category === 'profile'));
  const ids = [...KEYS, ...made].map((k) => k.keyId).sort();
  assert.equal((await keys.keysById(ids)).length, 4);
  assert.deepEqual((await keys.erase('s1', null, 2_000)).keyIds.sort(), ids);
}

describe('a SQLite key file of key schema 1', () => {
  const objects = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return {
        objects: (db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all() as { sql: string | null }[])
          .map((o) => ({ ...o, sql: o.sql?.replace(/\s+/g, ' ') ?? null })),
        version: db.prepare('SELECT version FROM eventline_key_schema').pluck().get(),
      };
    } finally {
      db.close();
    }
  };

  test('is upgraded on open to the schema of a new key file, and keeps its keys, its ledger and its index', async () => {
    const path = join(dir, 'step-1.db');
    const db = new Database(path);
    db.exec(createSqliteKeys);
    db.exec('CREATE TABLE eventline_key_schema (version INTEGER NOT NULL); INSERT INTO eventline_key_schema (version) VALUES (1)');
    db.prepare(`INSERT INTO settings (name, value) VALUES ('check', 'kek-1')`).run();
    for (const k of KEYS) db.prepare('INSERT INTO keys (key_id, subject_hash, category, wrapped, kek_id, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(...keyRow(k));
    db.prepare(`INSERT INTO erased (subject_hash, category, erased_at) VALUES ('s2', NULL, 500)`).run();
    db.prepare(`INSERT INTO subject_positions (subject_hash, position) VALUES ('s1', 8)`).run();
    db.close();

    const keys = await openSqliteKeyStorage(path);
    try {
      await assertUpgraded(keys);
    } finally {
      await keys.close();
    }
    const fresh = join(dir, 'fresh.db');
    await (await openSqliteKeyStorage(fresh)).close();
    assert.deepEqual(objects(path), objects(fresh));
    assert.equal(objects(path).version, SQLITE_KEY_SCHEMA_VERSION);
  });
});

const postgres = postgresTestUrl();
if (!postgres) {
  test('a PostgreSQL key schema of key schema 1', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
} else {
  const pool = new pg.Pool({ connectionString: process.env.EVENTLINE_POSTGRES_URL, max: 2 });
  after(async () => {
    await pool.end();
    await postgres.dropAll();
  });
  const freshSchema = async () => new URL(await postgres.freshUrl()).searchParams.get('schema')!;

  /** What the catalog says of a key schema's tables, with its name made the same for every schema. */
  async function catalog(schema: string) {
    const rows = async (text: string) => (await pool.query(text, [schema])).rows;
    const found = {
      columns: await rows(`SELECT table_name, column_name, data_type, collation_name, column_default, is_nullable
        FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`),
      constraints: await rows(`SELECT cl.relname AS table, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
        FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE n.nspname = $1 ORDER BY 1, 2`),
      indexes: await rows(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2`),
      version: (await pool.query(`SELECT version FROM ${quoteSchema(schema)}.schema_version`)).rows,
    };
    return JSON.parse(JSON.stringify(found).replaceAll(schema, '{schema}')) as typeof found;
  }

  describe('a PostgreSQL key schema of key schema 1', () => {
    test('is upgraded on open to the schema of a new key schema, and keeps its keys, its ledger and its index', async () => {
      const schema = await freshSchema();
      const s = quoteSchema(schema);
      await pool.query(`CREATE SCHEMA ${s}`);
      await pool.query(createPostgresKeys(s));
      await pool.query(`CREATE TABLE ${s}.schema_version (version integer NOT NULL); INSERT INTO ${s}.schema_version (version) VALUES (1)`);
      await pool.query(`INSERT INTO ${s}.settings (name, value) VALUES ('check', 'kek-1')`);
      for (const k of KEYS) await pool.query(`INSERT INTO ${s}.keys (key_id, subject_hash, category, wrapped, kek_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, keyRow(k));
      await pool.query(`INSERT INTO ${s}.erased (subject_hash, category, erased_at) VALUES ('s2', NULL, 500)`);
      await pool.query(`INSERT INTO ${s}.subject_positions (subject_hash, position) VALUES ('s1', 8)`);

      const keys = await openPostgresKeyStorage(process.env.EVENTLINE_POSTGRES_URL!, { schema });
      try {
        await assertUpgraded(keys);
      } finally {
        await keys.close();
      }
      const fresh = await freshSchema();
      await (await openPostgresKeyStorage(process.env.EVENTLINE_POSTGRES_URL!, { schema: fresh })).close();
      assert.deepEqual(await catalog(schema), await catalog(fresh));
      assert.deepEqual((await catalog(schema)).version, [{ version: POSTGRES_KEY_SCHEMA_VERSION }]);
    });
  });
}
