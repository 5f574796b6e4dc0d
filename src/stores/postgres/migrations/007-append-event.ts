// Schema 7, the append functions: one event given no id appends through append_event
// with plain values, and appends notify only while a process listens. append.ts calls
// them. Step 9 (009-pruned-events.ts) renders them again with `prunedEvents`, which
// looks at what pruned events left behind; this step renders them without, the SQL it
// ran when it was written (schema.ts).

import { LOCK_APPEND, LOCK_LISTEN } from '../identifiers.js';
import type { Migration, SchemaNames } from './migration.js';

export const appendEvent: Migration = (names) => `
    ${appendEventsFunction(names)};
    ${appendEventFunction(names)};
    `;

/**
 * Whether the functions look at pruned_events (schema 9): for the version of a stream
 * with no event left, and for the ids of pruned events, which may come back only as the
 * retry they were.
 */
export interface AppendFunctionOptions {
  prunedEvents?: boolean;
}

/**
 * Appends run as one function call: one round trip, and the statements run in order.
 * The transaction-scoped advisory lock serialises appends, so positions are handed
 * out in commit order and a reader can never see position N+1 while N is still
 * uncommitted (docs/ordering.md explains why this matters and what it costs).
 *
 * Expected version is encoded as: >= 0 exact, -1 any, -2 no_stream, -3 stream_exists.
 * An event given no id has a null in `p_event_ids`: it is named after its position
 * (event-ids.ts). With `p_lookup_ids` (the caller gave event ids: it may be retrying), it
 * first returns where those ids are stored: an id the caller chose in the index of event
 * ids, an id of this schema (its position in `p_named`) at that position with no id of
 * its own. The caller decides between an idempotent retry and a duplicate. Events given
 * no id cannot be stored yet, and skipping that lookup is most of what a single append
 * costs beyond its INSERT. Then it returns one row with a null position on a version
 * conflict, or one row with the new version and last position.
 */
export function appendEventsFunction({ s, key, channel }: SchemaNames, { prunedEvents = false }: AppendFunctionOptions = {}): string {
  // Where the given ids are stored in `table`: the ids callers chose by their index, and
  // the ids of this schema at the positions they name, held by an event with no id.
  const storedIn = (table: string, a: string) => `SELECT ${a}.event_id, ${a}.stream_id, ${a}.version, ${a}.position
        FROM ${s}.${table} ${a} WHERE ${a}.event_id = ANY (p_event_ids)
        UNION ALL
        SELECT u.id, ${a}.stream_id, ${a}.version, ${a}.position
        FROM unnest(p_event_ids, p_named) AS u(id, named)
        JOIN ${s}.${table} ${a} ON ${a}.position = u.named AND ${a}.event_id IS NULL`;
  const prunedIds = prunedEvents ? `\n        UNION ALL\n        ${storedIn('pruned_events', 'p')}` : '';
  return `
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
    ${takeAppendLock(key)}

    IF p_lookup_ids THEN
      RETURN QUERY
        ${storedIn('events', 'e')}${prunedIds};
      IF FOUND THEN RETURN; END IF;
    END IF;

    ${versionAndAheadInto(s, 'v_current', 'v_ahead', prunedEvents)}
    IF NOT ${versionAccepted('v_current')} THEN
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
      ${nextPositionInto(s, 'v_next')}
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

    ${notifyListeners(key, channel, 'v_last')}

    RETURN QUERY SELECT NULL::uuid, p_stream_id, v_current + cardinality(p_event_ids), v_last;
  END
  $fn$`;
}

/**
 * The one-event append of an event given no id, the most common append: plain values
 * instead of arrays (which pg writes out and PostgreSQL parses back, character by
 * character), and no search for earlier copies. Otherwise as append_events: the same
 * lock, rules and results, in one row; a null position is a version conflict.
 */
export function appendEventFunction({ s, key, channel }: SchemaNames, { prunedEvents = false }: AppendFunctionOptions = {}): string {
  return `
  CREATE OR REPLACE FUNCTION ${s}.append_event(
    p_stream_id text, p_expected bigint, p_type text, p_data text, p_metadata text,
    OUT out_version bigint, OUT out_position bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_ahead bigint;
    v_next bigint;
    v_event_id uuid;
  BEGIN
    ${takeAppendLock(key)}
    ${versionAndAheadInto(s, 'out_version', 'v_ahead', prunedEvents)}
    IF NOT ${versionAccepted('out_version')} THEN
      RETURN;
    END IF;
    -- A position an id of this schema already names gets an id of its own (append_events).
    IF v_ahead > 0 THEN
      ${nextPositionInto(s, 'v_next')}
      IF v_next <= v_ahead THEN v_event_id := gen_random_uuid(); END IF;
    END IF;
    out_version := out_version + 1;
    INSERT INTO ${s}.events (stream_id, version, event_id, type, data, metadata)
    VALUES (p_stream_id, out_version, v_event_id, p_type, p_data, p_metadata)
    RETURNING position INTO out_position;
    ${notifyListeners(key, channel, 'out_position')}
  END
  $fn$`;
}

/** Appends to a schema take turns: positions become visible in the order they are handed out. */
function takeAppendLock(key: number): string {
  return `PERFORM pg_advisory_xact_lock(${LOCK_APPEND}, ${key});`;
}

/**
 * The stream's version, the newest in its (stream_id, version) index: one seek. The
 * position named ahead (append_events) comes along. With `prunedEvents`, a stream with no
 * event left keeps the version its pruned events reached (coalesce looks only then).
 */
function versionAndAheadInto(s: string, version: string, ahead: string, prunedEvents: boolean): string {
  return `SELECT coalesce(max(e.version), ${prunedVersion(s, 'p_stream_id', prunedEvents)}0), (SELECT t.named_ahead FROM ${s}.event_id_tag t)
      INTO ${version}, ${ahead}
      FROM ${s}.events e WHERE e.stream_id = p_stream_id;`;
}

/** Whether an append whose expected version is `p_expected` (coded as in append_events) may go on. */
function versionAccepted(current: string): string {
  return `(p_expected = -1 OR (p_expected = -2 AND ${current} = 0) OR (p_expected = -3 AND ${current} > 0) OR p_expected = ${current})`;
}

/** The position the events table hands out next; under the append lock, this append's. */
function nextPositionInto(s: string, variable: string): string {
  return `EXECUTE format('SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM %s',
        pg_get_serial_sequence('${s}.events', 'position')) INTO ${variable};`;
}

/**
 * Notifies the processes that listen, at commit, so their subscribers wake at once. A
 * notification costs every commit time (PostgreSQL queues them under a lock of its
 * own), so none is sent while nobody listens: each listening connection holds
 * LOCK_LISTEN shared (listener.ts), and the exclusive lock an append takes only when
 * none does is held to its commit. A connection that starts to listen meanwhile waits
 * for that commit before it reads, so it sees the append either way.
 */
function notifyListeners(key: number, channel: string, position: string): string {
  return `IF NOT pg_try_advisory_xact_lock(${LOCK_LISTEN}, ${key}) THEN
      PERFORM pg_notify('${channel}', ${position}::text);
    END IF;`;
}

/** The version a stream's pruned events reached, as the middle argument of a coalesce ('' without `prunedEvents`). */
export function prunedVersion(s: string, streamId: string, prunedEvents: boolean): string {
  return prunedEvents ? `(SELECT max(p.version) FROM ${s}.pruned_events p WHERE p.stream_id = ${streamId}), ` : '';
}
