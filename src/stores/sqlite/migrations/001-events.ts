// Schema 1: the events table, whose AUTOINCREMENT never hands a position out twice, even
// after deletes (4 keeps that promise another way), and a streams table that keeps each
// stream's version.
// Frozen: the SQL this step ran when it was written (schema.ts).

export const createEvents = `
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
  `;
