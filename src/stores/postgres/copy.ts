// Copied events on PostgreSQL (storage.ts, writeCopied): one transaction under the
// append lock, so the positions the sequence hands the batch are in the order given and
// no append lands between them. Each event keeps the id, version, time and payload it
// had in the store it comes from; the caller's map of positions commits with it.

import type { ClientBase, Pool } from 'pg';
import { copyAction } from '../../store/copy-rules.js';
import type { BeforeCopyCommit, CopiedEvent, CopiedPositions } from '../../store/storage.js';
import { LOCK_APPEND, LOCK_LISTEN } from './identifiers.js';
import { inTransaction, postgresReadModelDb } from './read-models.js';

type PlaceRow = { kind: 'id' | 'stream'; key: string; streamId: string; version: number; position: number | null };

export function prepareCopy(pool: Pool, s: string, key: number, channel: string) {
  // In one round trip: where each id of the batch is stored, or was before a prune; and
  // the highest version each stream of the batch has, or had before a prune.
  const places = `
    SELECT 'id' AS kind, e.event_id::text AS key, e.stream_id AS "streamId", e.version, e.position
    FROM ${s}.events e WHERE e.event_id = ANY ($1::uuid[])
    UNION ALL
    SELECT 'id', p.event_id::text, p.stream_id, p.version, p.position
    FROM ${s}.pruned_events p WHERE p.event_id = ANY ($1::uuid[])
    UNION ALL
    SELECT 'stream', u.stream_id, u.stream_id,
      greatest(coalesce((SELECT max(e.version) FROM ${s}.events e WHERE e.stream_id = u.stream_id), 0),
               coalesce((SELECT max(p.version) FROM ${s}.pruned_events p WHERE p.stream_id = u.stream_id), 0)),
      NULL
    FROM unnest($2::text[]) AS u(stream_id)`;
  // ORDER BY: the sequence numbers the rows in the order given.
  const insertEvents = `
    INSERT INTO ${s}.events (stream_id, version, event_id, type, data, metadata, recorded_at)
    SELECT u.stream_id, u.version, u.event_id, u.type, u.data, u.metadata, timestamptz 'epoch' + u.recorded_ms * interval '1 millisecond'
    FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[])
      WITH ORDINALITY AS u(stream_id, version, event_id, type, data, metadata, recorded_ms, i)
    ORDER BY u.i
    RETURNING position`;
  // The lock and the key are numbers, the channel a checked schema name (schema.ts): no
  // value of the caller's is in these texts, and each goes in the round trip beside it.
  // A copy fills the table faster than autovacuum analyzes it: on statistics that say the
  // table is small, the planner would look the batch's ids up by scanning every row.
  // Inside a copy's transaction only the indexes are on offer (as for the log readers,
  // postgres-storage.ts).
  const begin = `BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SELECT pg_advisory_xact_lock(${LOCK_APPEND}, ${key})`;
  // As an append does: listeners hear of the new events (007-append-event.ts).
  const notifyAndCommit = (last: number) =>
    `SELECT pg_notify('${channel}', '${last}') WHERE NOT pg_try_advisory_xact_lock(${LOCK_LISTEN}, ${key}); COMMIT`;

  /** Where each event goes, or already is; the new ones to insert, in order. */
  async function plan(client: ClientBase, events: readonly CopiedEvent[]) {
    const streams = [...new Set(events.map((e) => e.streamId))];
    const { rows } = await client.query<PlaceRow>(places, [events.map((e) => e.eventId), streams]);
    const stored = new Map<string, PlaceRow>();
    const versions = new Map<string, number>();
    for (const row of rows) {
      if (row.kind === 'id') stored.set(row.key, row);
      else versions.set(row.key, row.version);
    }
    const positions: (number | undefined)[] = [];
    const fresh: CopiedEvent[] = [];
    for (const e of events) {
      const place = stored.get(e.eventId);
      const at = place === undefined ? undefined : { streamId: place.streamId, version: place.version, position: place.position! };
      if (copyAction(e, at, versions.get(e.streamId) ?? 0) === 'stored') {
        positions.push(at!.position);
        continue;
      }
      versions.set(e.streamId, e.version);
      positions.push(undefined);
      fresh.push(e);
    }
    return { positions, fresh };
  }

  async function insert(client: ClientBase, fresh: readonly CopiedEvent[]): Promise<number[]> {
    if (fresh.length === 0) return [];
    const { rows } = await client.query<{ position: number }>(insertEvents, [
      fresh.map((e) => e.streamId),
      fresh.map((e) => e.version),
      fresh.map((e) => e.eventId),
      fresh.map((e) => e.type),
      fresh.map((e) => e.data),
      fresh.map((e) => e.metadata),
      fresh.map((e) => e.recordedAt.getTime()),
    ]);
    // One transaction under the append lock: the batch's positions are consecutive and in order.
    return rows.map((r) => r.position).sort((a, b) => a - b);
  }

  return function writeCopied(events: readonly CopiedEvent[], beforeCommit: BeforeCopyCommit): Promise<CopiedPositions> {
    return inTransaction(
      pool,
      async (client) => {
        const { positions, fresh } = await plan(client, events);
        const inserted = await insert(client, fresh);
        let next = 0;
        const copied = { positions: positions.map((p) => p ?? inserted[next++]!), written: fresh.length };
        await beforeCommit(copied, (tables) => postgresReadModelDb(client, tables));
        return copied;
      },
      // The newest position written is the largest: the others were stored before.
      { begin, commit: ({ positions, written }) => (written === 0 ? 'COMMIT' : notifyAndCommit(positions.reduce((a, b) => Math.max(a, b), 0))) },
    );
  };
}
