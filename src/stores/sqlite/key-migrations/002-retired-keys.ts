// Key schema 2: a (subject, category) may keep retired keys beside its one current key
// (KeyStorage.retireKeys). SQLite cannot drop the UNIQUE (subject_hash, category) of
// step 1, so the keys table is rebuilt: its rows copied into a table with retired_at,
// the old table dropped (secure_delete zeroes its pages) and the new one renamed. Its
// columns repeat step 1's on purpose: a frozen step stands alone, so a later edit of
// another step cannot change what this one ran.
// Frozen: the SQL this step ran when it was written (key-schema.ts).

export const retiredKeys = `
  CREATE TABLE keys_2 (
    key_id       TEXT    PRIMARY KEY,
    subject_hash TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    wrapped      TEXT    NOT NULL, -- the data key sealed under kek_id, base64
    kek_id       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL, -- milliseconds since the epoch
    retired_at   INTEGER           -- milliseconds since the epoch; NULL: the current key
  );
  INSERT INTO keys_2 (key_id, subject_hash, category, wrapped, kek_id, created_at)
    SELECT key_id, subject_hash, category, wrapped, kek_id, created_at FROM keys;
  DROP TABLE keys;
  ALTER TABLE keys_2 RENAME TO keys;
  -- One current key per (subject, category): addKey answers the key stored first, and
  -- retireKeys retires it before it stores the next.
  CREATE UNIQUE INDEX keys_current ON keys (subject_hash, category) WHERE retired_at IS NULL;
  -- Every key of a pair, retired ones too, for the erase that deletes them all.
  CREATE INDEX keys_pair ON keys (subject_hash, category);
  `;
