// Schema 6: the largest position an id of the file named before the file reached it.
// Frozen: the SQL this step ran when it was written (schema.ts).

export const namedAhead = `
  -- The largest position that an id of this file, given by a caller, named before the
  -- file reached it (event-ids.ts). Events given no id up to there get an id of their
  -- own, so no id is ever given twice, and positions are never skipped for it.
  ALTER TABLE event_id_tag ADD COLUMN named_ahead INTEGER NOT NULL DEFAULT 0;
  `;
