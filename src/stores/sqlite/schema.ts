// The SQLite schema, as numbered migrations applied on open. `eventline_schema`
// records how far a file has been migrated, so a newer Eventline can upgrade it.

import type { Database } from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    -- AUTOINCREMENT: a position is never handed out twice, even after deletes
    -- (migration 4 keeps that promise another way).
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
  `
  -- Appends write only the events table and its indexes. AUTOINCREMENT wrote
  -- sqlite_sequence on every append, and streams on every new stream; positions now
  -- come from the largest position and positions_used, which remembers the largest
  -- position ever deleted, so a position is still never handed out twice. Streams are
  -- listed from the (stream_id, version) index.
  CREATE TABLE events_next (
    position    INTEGER PRIMARY KEY,
    stream_id   TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    event_id    TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT,
    recorded_at INTEGER NOT NULL, -- milliseconds since the epoch
    UNIQUE (stream_id, version)
  );
  INSERT INTO events_next (position, stream_id, version, event_id, type, data, metadata, recorded_at)
    SELECT position, stream_id, version, event_id, type, data, metadata, recorded_at FROM events ORDER BY position;
  CREATE TABLE positions_used (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL
  );
  -- AUTOINCREMENT's memory carries over: positions handed out before stay used.
  INSERT INTO positions_used (id, position)
    SELECT 1, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0);
  DROP TABLE events;
  ALTER TABLE events_next RENAME TO events;
  CREATE TRIGGER events_deleted AFTER DELETE ON events
    WHEN old.position > (SELECT position FROM positions_used WHERE id = 1)
  BEGIN
    UPDATE positions_used SET position = old.position WHERE id = 1;
  END;
  DROP TABLE streams;
  `,
  `
  -- Events appended without an id are named after their position (event-ids.ts), so
  -- only ids that callers chose are stored and indexed: an append of new events
  -- writes no index entry for their ids. Ids stored before keep their place.
  CREATE TABLE events_next (
    position    INTEGER PRIMARY KEY,
    stream_id   TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    event_id    TEXT,   -- NULL: the id follows from the position
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT,
    recorded_at INTEGER NOT NULL, -- milliseconds since the epoch
    UNIQUE (stream_id, version)
  );
  INSERT INTO events_next (position, stream_id, version, event_id, type, data, metadata, recorded_at)
    SELECT position, stream_id, version, event_id, type, data, metadata, recorded_at FROM events ORDER BY position;
  DROP TABLE events;
  ALTER TABLE events_next RENAME TO events;
  CREATE UNIQUE INDEX events_event_id ON events (event_id) WHERE event_id IS NOT NULL;
  CREATE TRIGGER events_deleted AFTER DELETE ON events
    WHEN old.position > (SELECT position FROM positions_used WHERE id = 1)
  BEGIN
    UPDATE positions_used SET position = old.position WHERE id = 1;
  END;
  -- The file's event-id tag: a variant digit (8 to b) and 15 random hex digits.
  CREATE TABLE event_id_tag (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    tag TEXT    NOT NULL
  );
  INSERT INTO event_id_tag (id, tag)
    SELECT 1, substr('89ab', 1 + (random() & 3), 1) || substr(hex, 1, 3) || '-' || substr(hex, 4, 12)
    FROM (SELECT lower(hex(randomblob(8))) AS hex);
  `,
  `
  -- The largest position that an id of this file, given by a caller, named before the
  -- file reached it (event-ids.ts). Events given no id up to there get an id of their
  -- own, so no id is ever given twice, and positions are never skipped for it.
  ALTER TABLE event_id_tag ADD COLUMN named_ahead INTEGER NOT NULL DEFAULT 0;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Whether the file holds an Eventline store, of any schema version. */
export function hasSchema(db: Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'eventline_schema'`).get() !== undefined;
}

/** Brings the file to the current schema; runs under the write lock so processes take turns. */
export function migrate(db: Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS eventline_schema (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM eventline_schema').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      // The open turns this into a StoreOpenError, with this as its cause.
      throw new Error(`the file has schema version ${current}, newer than this Eventline (${SCHEMA_VERSION})`);
    }
    for (const sql of MIGRATIONS.slice(current)) db.exec(sql);
    if (!row) db.prepare('INSERT INTO eventline_schema (version) VALUES (?)').run(SCHEMA_VERSION);
    else db.prepare('UPDATE eventline_schema SET version = ?').run(SCHEMA_VERSION);
  }).immediate();
}
