// Key schema 1: settings, the wrapped data keys, the erased ledger and the subject index,
// in a schema of their own (key-schema.ts).
// Frozen: the SQL this step ran when it was written (key-schema.ts).

/** `s` is the key schema, quoted by quoteSchema. */
export const createKeys = (s: string) => `
    -- Values the privacy part keeps for itself (the subject-hash key, sealed; a check of
    -- the key-encryption key).
    CREATE TABLE ${s}.settings (
      name  text COLLATE "C" PRIMARY KEY,
      value text NOT NULL
    );
    -- One data key per (subject, category): the unique pair is what addKey's
    -- INSERT ... ON CONFLICT settles on, so two processes agree on one key.
    CREATE TABLE ${s}.keys (
      key_id       text COLLATE "C" PRIMARY KEY,
      subject_hash text COLLATE "C" NOT NULL,
      category     text COLLATE "C" NOT NULL,
      wrapped      text NOT NULL,   -- the data key sealed under kek_id, base64
      kek_id       text COLLATE "C" NOT NULL,
      created_at   bigint NOT NULL, -- milliseconds since the epoch
      CONSTRAINT keys_current UNIQUE (subject_hash, category)
    );
    -- The erased ledger: a subject (category NULL: all of it) or one category of it.
    -- Subjects are keyed hashes: the ledger holds no personal data. id keeps the order
    -- of recording.
    CREATE TABLE ${s}.erased (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      subject_hash text COLLATE "C" NOT NULL,
      category     text COLLATE "C",
      erased_at    bigint NOT NULL
    );
    -- Two partial indexes rather than one on coalesce(category, ''), which would take a
    -- category named '' for the whole subject.
    CREATE UNIQUE INDEX erased_subject ON ${s}.erased (subject_hash) WHERE category IS NULL;
    CREATE UNIQUE INDEX erased_category ON ${s}.erased (subject_hash, category) WHERE category IS NOT NULL;
    -- Subject access: the positions of the events that hold a subject's personal data.
    CREATE TABLE ${s}.subject_positions (
      subject_hash text COLLATE "C" NOT NULL,
      position     bigint NOT NULL,
      PRIMARY KEY (subject_hash, position)
    );
`;
