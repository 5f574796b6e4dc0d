// Schema 5: events appended without an id are named after their position (event-ids.ts);
// only the ids callers chose are stored and indexed.
// Frozen: the SQL this step ran when it was written (schema.ts).

export const idsNamedByPosition = `
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
  `;
