// Schema 1: the events table, a streams table that keeps each stream's version, and the
// first append_events (given an id for every event). 3, 5 and 6 replace the function.
// Frozen: the SQL this step ran when it was written (schema.ts).

import { LOCK_APPEND } from '../identifiers.js';
import type { Migration } from './migration.js';

export const createEvents: Migration = ({ s, key }) => `
    CREATE TABLE ${s}.events (
      position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      stream_id   text COLLATE "C" NOT NULL,
      version     bigint NOT NULL,
      event_id    uuid NOT NULL,
      type        text COLLATE "C" NOT NULL,
      data        text NOT NULL,
      metadata    text,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_stream_version UNIQUE (stream_id, version),
      CONSTRAINT events_event_id UNIQUE (event_id)
    );
    CREATE TABLE ${s}.streams (
      stream_id text COLLATE "C" PRIMARY KEY,
      version   bigint NOT NULL
    );

  CREATE OR REPLACE FUNCTION ${s}.append_events(
    p_stream_id text, p_expected bigint,
    p_event_ids uuid[], p_types text[], p_data text[], p_metadata text[])
  RETURNS TABLE (out_event_id uuid, out_stream_id text, out_version bigint, out_position bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_current bigint;
    v_last bigint;
  BEGIN
    PERFORM pg_advisory_xact_lock(${LOCK_APPEND}, ${key});

    RETURN QUERY
      SELECT e.event_id, e.stream_id, e.version, e.position
      FROM ${s}.events e WHERE e.event_id = ANY (p_event_ids);
    IF FOUND THEN RETURN; END IF;

    SELECT st.version INTO v_current FROM ${s}.streams st WHERE st.stream_id = p_stream_id;
    v_current := coalesce(v_current, 0);
    IF NOT (p_expected = -1
         OR (p_expected = -2 AND v_current = 0)
         OR (p_expected = -3 AND v_current > 0)
         OR p_expected = v_current) THEN
      RETURN QUERY SELECT NULL::uuid, p_stream_id, v_current, NULL::bigint;
      RETURN;
    END IF;

    WITH inserted AS (
      INSERT INTO ${s}.events (stream_id, version, event_id, type, data, metadata)
      SELECT p_stream_id, v_current + u.ord, u.id, u.type, u.data, u.metadata
      FROM unnest(p_event_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS u(id, type, data, metadata, ord)
      ORDER BY u.ord
      RETURNING position)
    SELECT max(i.position) INTO v_last FROM inserted i;

    INSERT INTO ${s}.streams AS st (stream_id, version)
    VALUES (p_stream_id, v_current + cardinality(p_event_ids))
    ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version;

    RETURN QUERY SELECT NULL::uuid, p_stream_id, v_current + cardinality(p_event_ids), v_last;
  END
  $fn$;
`;
