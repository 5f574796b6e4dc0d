// Schema 2: the snapshots table.
// Frozen: the SQL this step ran when it was written (schema.ts).

import type { Migration } from './migration.js';

export const createSnapshots: Migration = ({ s }) => `
    -- The newest snapshot of a stream's state, and the stream version it reflects.
    CREATE TABLE ${s}.snapshots (
      stream_id      text COLLATE "C" PRIMARY KEY,
      version        bigint NOT NULL,
      schema_version integer NOT NULL,
      state          text NOT NULL,
      taken_at       timestamptz NOT NULL DEFAULT now()
    );
`;
