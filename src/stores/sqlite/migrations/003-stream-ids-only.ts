// Schema 3: streams lists stream ids only; a stream's version is the newest in its index.
// Frozen: the SQL this step ran when it was written (schema.ts).

export const streamIdsOnly = `
  -- streams lists stream ids only; a stream's version is the newest in its index,
  -- so appending to an existing stream writes no row here.
  ALTER TABLE streams DROP COLUMN version;
  `;
