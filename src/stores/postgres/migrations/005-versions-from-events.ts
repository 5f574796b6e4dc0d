// Schema 5: append_events looks for earlier copies only of the event ids a caller gave,
// and reads a stream's version from the events' own index: no streams table to keep.
// The read functions of 4 go.
// Frozen: the SQL this step ran when it was written (schema.ts).

import { LOCK_APPEND } from '../identifiers.js';
import type { Migration } from './migration.js';

export const versionsFromEvents: Migration = ({ s, key, channel }) => `
    DROP FUNCTION IF EXISTS ${s}.append_events(text, bigint, uuid[], text[], text[], text[]);

  CREATE OR REPLACE FUNCTION ${s}.append_events(
    p_stream_id text, p_expected bigint,
    p_event_ids uuid[], p_types text[], p_data text[], p_metadata text[], p_lookup_ids boolean)
  RETURNS TABLE (out_event_id uuid, out_stream_id text, out_version bigint, out_position bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_current bigint;
    v_last bigint;
  BEGIN
    PERFORM pg_advisory_xact_lock(${LOCK_APPEND}, ${key});

    IF p_lookup_ids THEN
      RETURN QUERY
        SELECT e.event_id, e.stream_id, e.version, e.position
        FROM ${s}.events e WHERE e.event_id = ANY (p_event_ids);
      IF FOUND THEN RETURN; END IF;
    END IF;

    -- A stream's version is the newest in its (stream_id, version) index: one seek.
    SELECT coalesce(max(e.version), 0) INTO v_current FROM ${s}.events e WHERE e.stream_id = p_stream_id;
    IF NOT (p_expected = -1
         OR (p_expected = -2 AND v_current = 0)
         OR (p_expected = -3 AND v_current > 0)
         OR p_expected = v_current) THEN
      RETURN QUERY SELECT NULL::uuid, p_stream_id, v_current, NULL::bigint;
      RETURN;
    END IF;

    IF cardinality(p_event_ids) = 1 THEN
      -- Most appends carry one event: a plain INSERT skips unnest and its sort.
      INSERT INTO ${s}.events (stream_id, version, event_id, type, data, metadata)
      VALUES (p_stream_id, v_current + 1, p_event_ids[1], p_types[1], p_data[1], p_metadata[1])
      RETURNING position INTO v_last;
    ELSE
      WITH inserted AS (
        INSERT INTO ${s}.events (stream_id, version, event_id, type, data, metadata)
        SELECT p_stream_id, v_current + u.ord, u.id, u.type, u.data, u.metadata
        FROM unnest(p_event_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS u(id, type, data, metadata, ord)
        ORDER BY u.ord
        RETURNING position)
      SELECT max(i.position) INTO v_last FROM inserted i;
    END IF;

    -- Delivered at commit, to every process listening: subscribers wake at once.
    PERFORM pg_notify('${channel}', v_last::text);

    RETURN QUERY SELECT NULL::uuid, p_stream_id, v_current + cardinality(p_event_ids), v_last;
  END
  $fn$;
    DROP TABLE ${s}.streams;
    DROP FUNCTION IF EXISTS ${s}.read_filtered(bigint, text[], text, bigint, bigint, timestamptz, text, timestamptz);
    DROP FUNCTION IF EXISTS ${s}.read_stream(text, bigint, bigint);
    DROP FUNCTION IF EXISTS ${s}.read_stream_payloads(text, bigint, bigint);
`;
