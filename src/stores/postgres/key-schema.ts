// The PostgreSQL key storage's schema: numbered migrations applied on open, in the style
// of the event store's (schema.ts), with a schema_version table of its own in the key
// schema (default `<event schema>_keys`), so the keys can have their own role, grants and
// backups. Each step is frozen, one file a step in key-migrations/.

import type { PoolClient } from 'pg';
import { LOCK_MIGRATE, lockKey } from './identifiers.js';
import { createKeys } from './key-migrations/001-keys.js';
import { retiredKeys } from './key-migrations/002-retired-keys.js';

/** The steps in order, each given the quoted key schema: its version is how many it has run. */
const KEY_MIGRATIONS: readonly ((s: string) => string)[] = [createKeys, retiredKeys];

export const KEY_SCHEMA_VERSION = KEY_MIGRATIONS.length;

/** Creates or upgrades the key schema `schema` (quoted: `s`); concurrent openers take turns on an advisory lock. */
export async function migrateKeys(client: PoolClient, s: string, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_MIGRATE, lockKey(schema)]);
    // An event store's schema has a schema_version table too: keys live apart from the events.
    const { rows: store } = await client.query<{ found: string | null }>(`SELECT to_regclass($1) AS found`, [`${s}.events`]);
    if (store[0]!.found !== null) throw new Error(`schema ${schema} holds an event store; data keys live in a schema of their own`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`);
    const current = rows[0]?.version ?? 0;
    if (current > KEY_SCHEMA_VERSION) {
      throw new Error(`key schema ${schema} has version ${current}, newer than this Eventline (${KEY_SCHEMA_VERSION})`);
    }
    for (const step of KEY_MIGRATIONS.slice(current)) await client.query(step(s));
    if (rows.length === 0) await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [KEY_SCHEMA_VERSION]);
    else await client.query(`UPDATE ${s}.schema_version SET version = $1`, [KEY_SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
