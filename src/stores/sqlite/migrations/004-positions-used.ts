// Schema 4: appends write only the events table and its indexes; positions_used, kept by
// a trigger, remembers the largest position ever deleted, and streams are listed from the
// (stream_id, version) index.
// Frozen: the SQL this step ran when it was written (schema.ts).

export const positionsUsed = `
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
  `;
