// The SQLite key storage's schema, as numbered migrations applied on open, in the style of
// the event store's (schema.ts): `eventline_key_schema` records how far a key file has
// been migrated, and each step is frozen, one file a step in key-migrations/. The table
// has a name of its own so that an event store and a key file are never taken for each
// other.

import type { Database } from 'better-sqlite3';
import { createKeys } from './key-migrations/001-keys.js';
import { retiredKeys } from './key-migrations/002-retired-keys.js';

/** The steps in order: a key file's schema version is how many of them it has run. */
export const KEY_MIGRATIONS: readonly string[] = [createKeys, retiredKeys];

export const KEY_SCHEMA_VERSION = KEY_MIGRATIONS.length;

/** Brings the key file to the current schema, under the write lock so processes take turns. */
export function migrateKeys(db: Database): void {
  db.transaction(() => {
    // The event store's own table: keys live apart from the events, never in their file.
    if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'eventline_schema'`).get() !== undefined) {
      throw new Error('the file holds an event store; data keys live in a file of their own');
    }
    db.exec('CREATE TABLE IF NOT EXISTS eventline_key_schema (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM eventline_key_schema').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > KEY_SCHEMA_VERSION) {
      throw new Error(`the key file has schema version ${current}, newer than this Eventline (${KEY_SCHEMA_VERSION})`);
    }
    for (const sql of KEY_MIGRATIONS.slice(current)) db.exec(sql);
    if (!row) db.prepare('INSERT INTO eventline_key_schema (version) VALUES (?)').run(KEY_SCHEMA_VERSION);
    else db.prepare('UPDATE eventline_key_schema SET version = ?').run(KEY_SCHEMA_VERSION);
  }).immediate();
}
