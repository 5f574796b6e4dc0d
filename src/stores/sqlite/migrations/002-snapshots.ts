// Schema 2: the snapshots table.
// Frozen: the SQL this step ran when it was written (schema.ts).

export const createSnapshots = `
  -- The newest snapshot of a stream's state, and the stream version it reflects.
  CREATE TABLE snapshots (
    stream_id      TEXT    PRIMARY KEY,
    version        INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    state          TEXT    NOT NULL,
    taken_at       INTEGER NOT NULL -- milliseconds since the epoch
  ) WITHOUT ROWID;
  `;
