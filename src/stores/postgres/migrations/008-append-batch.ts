// Schema 8: append_batch, many appends in one call and one transaction (append-queue.ts
// sends them). Step 9 renders it again with `prunedEvents` (007-append-event.ts); this
// step renders it without, the SQL it ran when it was written (schema.ts).

import { LOCK_APPEND, LOCK_LISTEN } from '../identifiers.js';
import { prunedVersion, type AppendFunctionOptions } from './007-append-event.js';
import type { Migration, SchemaNames } from './migration.js';

export const appendBatch: Migration = (names) => `
    ${appendBatchFunction(names)};
    `;

/**
 * Appends that arrived together, one after another in one transaction: each is what
 * one call of append_event or append_events would do alone, under the same append lock,
 * so a batch takes one turn of the lock and one flush of the log however many appends
 * it carries (docs/ordering.md). One append's version conflict or idempotent retry
 * concerns that append only: its rows say so and the others go on.
 *
 * Append i is `p_stream_ids[i]` at `p_expected[i]` (coded as in append_events) with the
 * events up to `p_ends[i]` (1-based, inclusive) in the event arrays; `p_lookup_ids[i]`
 * says whether its ids are looked up. Every row names the append it answers in
 * `out_append`; the other columns are append_events' own.
 */
export function appendBatchFunction({ s, key, channel }: SchemaNames, { prunedEvents = false }: AppendFunctionOptions = {}): string {
  const currentVersion = prunedEvents
    ? `coalesce((SELECT max(e.version) FROM ${s}.events e WHERE e.stream_id = r.stream_id), ${prunedVersion(s, 'r.stream_id', true)}0)`
    : `(SELECT coalesce(max(e.version), 0) FROM ${s}.events e WHERE e.stream_id = r.stream_id)`;
  return `
  CREATE OR REPLACE FUNCTION ${s}.append_batch(
    p_stream_ids text[], p_expected bigint[], p_ends int[], p_lookup_ids boolean[],
    p_event_ids uuid[], p_types text[], p_data text[], p_metadata text[], p_named bigint[])
  RETURNS TABLE (out_append int, out_event_id uuid, out_stream_id text, out_version bigint, out_position bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_from int := 1;
    v_to int;
  BEGIN
    PERFORM pg_advisory_xact_lock(${LOCK_APPEND}, ${key});
    -- Events given no id, each stream once, no id naming a position ahead of the log (the
    -- positions from here on are above the newest): one INSERT for them all.
    IF NOT (true = ANY (p_lookup_ids))
       AND (SELECT t.named_ahead FROM ${s}.event_id_tag t) <= coalesce((SELECT max(e.position) FROM ${s}.events e), 0)
       AND (SELECT count(DISTINCT u) FROM unnest(p_stream_ids) u) = cardinality(p_stream_ids) THEN
      RETURN QUERY
        WITH asked AS (
          SELECT r.i::int AS i, r.stream_id, r.expected, coalesce(lag(r.last) OVER (ORDER BY r.i), 0) + 1 AS first, r.last,
            ${currentVersion} AS current
          FROM unnest(p_stream_ids, p_expected, p_ends) WITH ORDINALITY AS r(stream_id, expected, last, i)),
        accepted AS (
          SELECT a.* FROM asked a
          WHERE a.expected = -1 OR (a.expected = -2 AND a.current = 0) OR (a.expected = -3 AND a.current > 0) OR a.expected = a.current),
        inserted AS (
          INSERT INTO ${s}.events (stream_id, version, type, data, metadata)
          SELECT a.stream_id, a.current + u.ord - a.first + 1, u.type, u.data, u.metadata
          FROM accepted a JOIN unnest(p_types, p_data, p_metadata) WITH ORDINALITY AS u(type, data, metadata, ord)
            ON u.ord BETWEEN a.first AND a.last
          ORDER BY u.ord
          RETURNING stream_id, version, position)
        SELECT a.i, NULL::uuid, a.stream_id, coalesce(max(n.version), a.current), max(n.position)
        FROM asked a LEFT JOIN inserted n ON n.stream_id = a.stream_id
        GROUP BY a.i, a.stream_id, a.current
        ORDER BY a.i;
      IF NOT pg_try_advisory_xact_lock(${LOCK_LISTEN}, ${key}) THEN
        PERFORM pg_notify('${channel}', (SELECT max(e.position) FROM ${s}.events e)::text);
      END IF;
      RETURN;
    END IF;
    FOR i IN 1 .. cardinality(p_stream_ids) LOOP
      v_to := p_ends[i];
      IF v_to = v_from AND p_event_ids[v_from] IS NULL THEN
        RETURN QUERY SELECT i, NULL::uuid, p_stream_ids[i], a.out_version, a.out_position
          FROM ${s}.append_event(p_stream_ids[i], p_expected[i], p_types[v_from], p_data[v_from], p_metadata[v_from]) a;
      ELSE
        RETURN QUERY SELECT i, a.out_event_id, a.out_stream_id, a.out_version, a.out_position
          FROM ${s}.append_events(p_stream_ids[i], p_expected[i], p_event_ids[v_from:v_to], p_types[v_from:v_to],
            p_data[v_from:v_to], p_metadata[v_from:v_to], p_lookup_ids[i], p_named[v_from:v_to]) a;
      END IF;
      v_from := v_to + 1;
    END LOOP;
  END
  $fn$`;
}
