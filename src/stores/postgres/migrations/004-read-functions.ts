// Schema 4: stream reads and filtered reads of the log as functions with planner
// settings of their own, which keep to the index order. 5 drops them: the log reader's
// connections carry those settings now (postgres-storage.ts).
// Frozen: the SQL this step ran when it was written (schema.ts).

import type { Migration } from './migration.js';

export const createReadFunctions: Migration = ({ s }) => `
  CREATE OR REPLACE FUNCTION ${s}.read_filtered(
    p_after bigint, p_types text[], p_prefix text, p_limit bigint,
    p_before bigint, p_from timestamptz, p_needle text, p_to timestamptz)
  RETURNS TABLE (o_position bigint, o_stream_id text, o_version bigint, o_event_id uuid,
    o_type text, o_data text, o_metadata text, o_recorded_at float8)
  LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off
  AS $fn$
    SELECT position, stream_id, version, event_id, type, data, metadata, date_part('epoch', recorded_at) * 1000
    FROM ${s}.events
    WHERE position > p_after AND position < p_before
      AND (p_types IS NULL OR type = ANY (p_types))
      AND (p_prefix IS NULL OR starts_with(stream_id, p_prefix))
      AND (p_from IS NULL OR recorded_at >= p_from)
      AND (p_to IS NULL OR recorded_at < p_to)
      AND (p_needle IS NULL OR strpos(metadata, p_needle) > 0)
    ORDER BY position LIMIT p_limit
  $fn$;

  CREATE OR REPLACE FUNCTION ${s}.read_stream(p_stream_id text, p_from bigint, p_limit bigint)
  RETURNS TABLE (o_position bigint, o_version bigint, o_event_id uuid,
    o_type text, o_data text, o_metadata text, o_recorded_at float8)
  LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off
  AS $fn$
    SELECT position, version, event_id, type, data, metadata, date_part('epoch', recorded_at) * 1000
    FROM ${s}.events WHERE stream_id = p_stream_id AND version >= p_from
    ORDER BY version LIMIT p_limit
  $fn$;

  CREATE OR REPLACE FUNCTION ${s}.read_stream_payloads(p_stream_id text, p_from bigint, p_limit bigint)
  RETURNS TABLE (o_version bigint, o_position bigint, o_type text, o_data text, o_metadata text)
  LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off
  AS $fn$
    SELECT version, position, type, data, metadata
    FROM ${s}.events WHERE stream_id = p_stream_id AND version >= p_from
    ORDER BY version LIMIT p_limit
  $fn$`;
