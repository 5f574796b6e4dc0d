// The PostgreSQL schema: numbered migrations applied on open, one schema-version row,
// and the append function. Every table lives in one schema (default "eventline").

import type { PoolClient } from 'pg';
import { LOCK_APPEND, LOCK_LISTEN, LOCK_MIGRATE, lockKey } from './identifiers.js';

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
export function appendFunction(s: string, schema: string): string {
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
    ${takeAppendLock(schema)}

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

    ${versionAndAheadInto(s, 'v_current', 'v_ahead')}
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

    ${notifyListeners(schema, 'v_last')}

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
export function appendEventFunction(s: string, schema: string): string {
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
    ${takeAppendLock(schema)}
    ${versionAndAheadInto(s, 'out_version', 'v_ahead')}
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
    ${notifyListeners(schema, 'out_position')}
  END
  $fn$`;
}

/** Appends to a schema take turns: positions become visible in the order they are handed out. */
function takeAppendLock(schema: string): string {
  return `PERFORM pg_advisory_xact_lock(${LOCK_APPEND}, ${lockKey(schema)});`;
}

/**
 * The stream's version, the newest in its (stream_id, version) index: one seek. The
 * position named ahead (append_events) comes along.
 */
function versionAndAheadInto(s: string, version: string, ahead: string): string {
  return `SELECT coalesce(max(e.version), 0), (SELECT t.named_ahead FROM ${s}.event_id_tag t)
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
function notifyListeners(schema: string, position: string): string {
  return `IF NOT pg_try_advisory_xact_lock(${LOCK_LISTEN}, ${lockKey(schema)}) THEN
      PERFORM pg_notify('${notifyChannel(schema)}', ${position}::text);
    END IF;`;
}

/** The channel appends notify on, one per schema. */
export function notifyChannel(schema: string): string {
  return `eventline_${schema}`;
}

function migrations(s: string, schema: string): string[] {
  return [
    `
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
    ${appendFunction(s, schema)};
    `,
    `
    -- The newest snapshot of a stream's state, and the stream version it reflects.
    CREATE TABLE ${s}.snapshots (
      stream_id      text COLLATE "C" PRIMARY KEY,
      version        bigint NOT NULL,
      schema_version integer NOT NULL,
      state          text NOT NULL,
      taken_at       timestamptz NOT NULL DEFAULT now()
    );
    `,
    // Appends notify subscribers.
    appendFunction(s, schema),
    // Schema 4 held read functions with planner settings of their own; the log reader's
    // connections carry those settings now (postgres-storage.ts), and 5 drops them.
    'SELECT 1',
    // append_events looks for earlier copies only of the event ids a caller gave, and
    // reads a stream's version from the events' own index: no streams table to keep.
    // The read functions of 4 go (see above).
    `
    DROP FUNCTION IF EXISTS ${s}.append_events(text, bigint, uuid[], text[], text[], text[]);
    ${appendFunction(s, schema)};
    DROP TABLE ${s}.streams;
    DROP FUNCTION IF EXISTS ${s}.read_filtered(bigint, text[], text, bigint, bigint, timestamptz, text, timestamptz);
    DROP FUNCTION IF EXISTS ${s}.read_stream(text, bigint, bigint);
    DROP FUNCTION IF EXISTS ${s}.read_stream_payloads(text, bigint, bigint);
    `,
    // Events given no id are named after their positions (event-ids.ts), as in the other
    // stores: only the ids callers chose are stored and indexed. Stored ids stay.
    `
    ALTER TABLE ${s}.events ALTER COLUMN event_id DROP NOT NULL;
    ALTER TABLE ${s}.events DROP CONSTRAINT events_event_id;
    CREATE UNIQUE INDEX events_event_id ON ${s}.events (event_id) WHERE event_id IS NOT NULL;
    -- The schema's event-id tag: a variant digit (8 to b) and 15 random hex digits, the
    -- last 17 characters of a random UUID. named_ahead: the largest position an id of
    -- the schema named, given by a caller before the schema reached it (append_events).
    CREATE TABLE ${s}.event_id_tag (tag text NOT NULL, named_ahead bigint NOT NULL DEFAULT 0);
    INSERT INTO ${s}.event_id_tag (tag) VALUES (right(gen_random_uuid()::text, 17));
    DROP FUNCTION IF EXISTS ${s}.append_events(text, bigint, uuid[], text[], text[], text[], boolean);
    ${appendFunction(s, schema)};
    `,
    // One event given no id appends through append_event; appends notify only while a
    // process listens.
    `
    ${appendFunction(s, schema)};
    ${appendEventFunction(s, schema)};
    `,
  ];
}

/**
 * An event's time as whole epoch milliseconds, what a JavaScript Date holds: an integer
 * is cheaper to print and to parse than a float, and reads send one per event.
 */
export const RECORDED_MS = `floor(date_part('epoch', recorded_at) * 1000)::bigint`;

export const SCHEMA_VERSION = migrations('"eventline"', 'eventline').length;

/**
 * Creates or upgrades the schema; concurrent openers take turns on an advisory lock. With
 * `create: false`, a schema that holds no Eventline store is left as it is, and the
 * result is false: the opener, which knows the URL, says so.
 */
export async function migrate(client: PoolClient, s: string, schema: string, { create }: { create: boolean }): Promise<boolean> {
  const steps = migrations(s, schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_MIGRATE, lockKey(schema)]);
    if (!create) {
      const { rows } = await client.query<{ found: string | null }>(`SELECT to_regclass($1) AS found`, [`${s}.schema_version`]);
      if (rows[0]!.found === null) {
        await client.query('ROLLBACK');
        return false;
      }
    }
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`);
    const current = rows[0]?.version ?? 0;
    if (current > steps.length) {
      throw new Error(`schema ${schema} has version ${current}, newer than this Eventline (${steps.length})`);
    }
    for (const sql of steps.slice(current)) await client.query(sql);
    if (rows.length === 0) await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [steps.length]);
    else await client.query(`UPDATE ${s}.schema_version SET version = $1`, [steps.length]);
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
