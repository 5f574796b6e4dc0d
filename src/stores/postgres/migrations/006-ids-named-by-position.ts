// Schema 6: events given no id are named after their positions (event-ids.ts), as in the
// other stores: only the ids callers chose are stored and indexed. Stored ids stay.
// Frozen: the SQL this step ran when it was written (schema.ts).

import { LOCK_APPEND } from '../identifiers.js';
import type { Migration } from './migration.js';

export const idsNamedByPosition: Migration = ({ s, key, channel }) => `
    ALTER TABLE ${s}.events ALTER COLUMN event_id DROP NOT NULL;
    ALTER TABLE ${s}.events DROP CONSTRAINT events_event_id;
    CREATE UNIQUE INDEX events_event_id ON ${s}.events (event_id) WHERE event_id IS NOT NULL;
    -- The schema's event-id tag: a variant digit (8 to b) and 15 random hex digits, the
    -- last 17 characters of a random UUID. named_ahead: the largest position an id of
    -- the schema named, given by a caller before the schema reached it (append_events).
    CREATE TABLE ${s}.event_id_tag (tag text NOT NULL, named_ahead bigint NOT NULL DEFAULT 0);
    INSERT INTO ${s}.event_id_tag (tag) VALUES (right(gen_random_uuid()::text, 17));
    DROP FUNCTION IF EXISTS ${s}.append_events(text, bigint, uuid[], text[], text[], text[], boolean);

  CREATE OR REPLACE FUNCTION ${s}.append_events(
    p_stream_id text, p_expected bigint,
    p_event_ids uuid[], p_types text[], p_data text[], p_metadata text[], p_lookup_ids boolean, p_named bigint[])
  RETURNS TABLE (out_event_id uuid, out_stream_id text, out_version bigint, out_position bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_current bigint;
    v_last bigint;
    v_named bigint;
    v_ahead bigint;
    v_next bigint;
  BEGIN
    PERFORM pg_advisory_xact_lock(${LOCK_APPEND}, ${key});

    IF p_lookup_ids THEN
      RETURN QUERY
        SELECT e.event_id, e.stream_id, e.version, e.position
        FROM ${s}.events e WHERE e.event_id = ANY (p_event_ids)
        UNION ALL
        SELECT u.id, e.stream_id, e.version, e.position
        FROM unnest(p_event_ids, p_named) AS u(id, named)
        JOIN ${s}.events e ON e.position = u.named AND e.event_id IS NULL;
      IF FOUND THEN RETURN; END IF;
    END IF;

    -- A stream's version is the newest in its (stream_id, version) index: one seek. The
    -- position named ahead (below) comes along.
    SELECT coalesce(max(e.version), 0), (SELECT t.named_ahead FROM ${s}.event_id_tag t)
      INTO v_current, v_ahead
      FROM ${s}.events e WHERE e.stream_id = p_stream_id;
    IF NOT (p_expected = -1
         OR (p_expected = -2 AND v_current = 0)
         OR (p_expected = -3 AND v_current > 0)
         OR p_expected = v_current) THEN
      RETURN QUERY SELECT NULL::uuid, p_stream_id, v_current, NULL::bigint;
      RETURN;
    END IF;

    -- An id of this schema may name a position not handed out yet (replaying events
    -- into a restored copy, say). The events given no id up to that position then get
    -- an id of their own, a random UUID, so no id is ever given twice; positions stay
    -- as they are, whatever position the id names.
    v_named := (SELECT max(n) FROM unnest(p_named) AS n);
    IF v_named > v_ahead THEN
      UPDATE ${s}.event_id_tag SET named_ahead = v_named;
      v_ahead := v_named;
    END IF;
    IF v_ahead > 0 THEN
      -- Under the append lock, this append's rows take the positions from the next on.
      EXECUTE format('SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM %s',
        pg_get_serial_sequence('${s}.events', 'position')) INTO v_next;
      IF v_next <= v_ahead THEN
        p_event_ids := ARRAY(
          SELECT coalesce(u.id, CASE WHEN v_next + u.ord - 1 <= v_ahead THEN gen_random_uuid() END)
          FROM unnest(p_event_ids) WITH ORDINALITY AS u(id, ord) ORDER BY u.ord);
      END IF;
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
`;
