// Schema 3: append_events notifies the schema's channel at commit, so subscribers wake
// at once.
// Frozen: the SQL this step ran when it was written (schema.ts).

import { LOCK_APPEND } from '../identifiers.js';
import type { Migration } from './migration.js';

export const appendNotifies: Migration = ({ s, key, channel }) => `
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

    -- Delivered at commit, to every process listening: subscribers wake at once.
    PERFORM pg_notify('${channel}', v_last::text);

    RETURN QUERY SELECT NULL::uuid, p_stream_id, v_current + cardinality(p_event_ids), v_last;
  END
  $fn$`;
