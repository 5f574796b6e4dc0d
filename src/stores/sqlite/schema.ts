// The SQLite schema, as numbered migrations applied on open. `eventline_schema`
// records how far a file has been migrated, so a newer Eventline can upgrade it.

import type { Database } from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    -- AUTOINCREMENT: a position is never handed out twice, even after deletes.
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id   TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    event_id    TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT,
    recorded_at INTEGER NOT NULL, -- milliseconds since the epoch
    UNIQUE (stream_id, version)
  );
  CREATE TABLE streams (
    stream_id TEXT    PRIMARY KEY,
    version   INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- The newest snapshot of a stream's state, and the stream version it reflects.
  CREATE TABLE snapshots (
    stream_id      TEXT    PRIMARY KEY,
    version        INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    state          TEXT    NOT NULL,
    taken_at       INTEGER NOT NULL -- milliseconds since the epoch
  ) WITHOUT ROWID;
  `,
  `
  -- streams lists stream ids only; a stream's version is the newest in its index,
  -- so appending to an existing stream writes no row here.
  ALTER TABLE streams DROP COLUMN version;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to the current schema; runs under the write lock so processes take turns. */
export function migrate(db: Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS eventline_schema (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM eventline_schema').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`the file has schema version ${current}, newer than this Eventline (${SCHEMA_VERSION})`);
    }
    for (const sql of MIGRATIONS.slice(current)) db.exec(sql);
    if (!row) db.prepare('INSERT INTO eventline_schema (version) VALUES (?)').run(SCHEMA_VERSION);
    else db.prepare('UPDATE eventline_schema SET version = ?').run(SCHEMA_VERSION);
  }).immediate();
}
