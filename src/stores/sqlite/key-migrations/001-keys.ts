// Key schema 1: settings, the wrapped data keys, the erased ledger and the subject index.
// Frozen: the SQL this step ran when it was written (key-schema.ts).

export const createKeys = `
  -- Values the privacy part keeps for itself (the subject-hash key, sealed; a check of
  -- the key-encryption key).
  CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  -- One data key per (subject, category): addKey answers the key stored first, and an
  -- erased pair never gets one again.
  CREATE TABLE keys (
    key_id       TEXT    PRIMARY KEY,
    subject_hash TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    wrapped      TEXT    NOT NULL, -- the data key sealed under kek_id, base64
    kek_id       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL, -- milliseconds since the epoch
    UNIQUE (subject_hash, category)
  );
  -- The erased ledger: a subject (category NULL: all of it) or one category of it. No
  -- personal data: subjects are keyed hashes. The rowid keeps the order of recording.
  CREATE TABLE erased (
    subject_hash TEXT    NOT NULL,
    category     TEXT,
    erased_at    INTEGER NOT NULL
  );
  -- Two partial indexes rather than one on coalesce(category, ''), which would take a
  -- category named '' for the whole subject.
  CREATE UNIQUE INDEX erased_subject ON erased (subject_hash) WHERE category IS NULL;
  CREATE UNIQUE INDEX erased_category ON erased (subject_hash, category) WHERE category IS NOT NULL;
  -- Subject access: the positions of the events that hold a subject's personal data.
  CREATE TABLE subject_positions (
    subject_hash TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    PRIMARY KEY (subject_hash, position)
  ) WITHOUT ROWID;
  `;
