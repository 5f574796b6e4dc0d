// Key schema 2: a (subject, category) may keep retired keys beside its one current key
// (KeyStorage.retireKeys). The unique pair of step 1 becomes a unique index on the
// current keys alone, which addKey's INSERT ... ON CONFLICT settles on as before.
// Frozen: the SQL this step ran when it was written (key-schema.ts).

/** `s` is the key schema, quoted by quoteSchema. */
export const retiredKeys = (s: string) => `
    ALTER TABLE ${s}.keys ADD COLUMN retired_at bigint; -- milliseconds since the epoch; NULL: the current key
    ALTER TABLE ${s}.keys DROP CONSTRAINT keys_current;
    CREATE UNIQUE INDEX keys_current ON ${s}.keys (subject_hash, category) WHERE retired_at IS NULL;
    -- Every key of a pair, retired ones too, for the erase that deletes them all.
    CREATE INDEX keys_pair ON ${s}.keys (subject_hash, category);
`;
