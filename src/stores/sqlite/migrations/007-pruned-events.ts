// Schema 7: what is left of pruned events (src/retention): one small row each, so a
// stream's version keeps counting, a pruned event's id is answered as the retry it was,
// and a reader can tell where a stream now starts.
// Frozen: the SQL this step ran when it was written (schema.ts).

export const prunedEvents = `
  -- A pruned event's place: its position, stream and version, and the id it was given
  -- (NULL: named after its position). Positions stay used: the events_deleted trigger
  -- keeps positions_used at or above every deleted one.
  CREATE TABLE pruned_events (
    position  INTEGER PRIMARY KEY,
    stream_id TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    event_id  TEXT,
    UNIQUE (stream_id, version)
  );
  CREATE UNIQUE INDEX pruned_events_event_id ON pruned_events (event_id) WHERE event_id IS NOT NULL;
  `;
