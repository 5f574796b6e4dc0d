// Copied events on PostgreSQL (storage.ts, writeCopied): one transaction under the
// append lock, so the positions the sequence hands the batch are in the order given and
// no append lands between them. Each event keeps the id, version, time and payload it
// had in the store it comes from; the caller's map of positions commits with it.

import type { ClientBase, Pool } from 'pg';
import { copyAction } from '../../store/copy-rules.js';
import type { BeforeCopyCommit, CopiedEvent, CopiedPositions } from '../../store/storage.js';
import { LOCK_APPEND, LOCK_LISTEN } from './identifiers.js';
import { discardDeferred, flushDeferred, postgresReadModelDb } from './read-models.js';

type Place = { i: number; streamId: string; version: number; position: number };

export function prepareCopy(pool: Pool, s: string, key: number, channel: string) {
  // Where each id of the batch is stored, or was before a prune: by its place in the batch.
  const findIds = `
    SELECT u.i, e.stream_id AS "streamId", e.version, e.position
    FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, i) JOIN ${s}.events e ON e.event_id = u.id
    UNION ALL
    SELECT u.i, p.stream_id, p.version, p.position
    FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, i) JOIN ${s}.pruned_events p ON p.event_id = u.id`;
  // The highest version each stream of the batch has, or had before a prune.
  const streamVersions = `
    SELECT u.stream_id AS "streamId",
      greatest(coalesce((SELECT max(e.version) FROM ${s}.events e WHERE e.stream_id = u.stream_id), 0),
               coalesce((SELECT max(p.version) FROM ${s}.pruned_events p WHERE p.stream_id = u.stream_id), 0)) AS version
    FROM unnest($1::text[]) AS u(stream_id)`;
  // ORDER BY: the sequence numbers the rows in the order given.
  const insertEvents = `
    INSERT INTO ${s}.events (stream_id, version, event_id, type, data, metadata, recorded_at)
    SELECT u.stream_id, u.version, u.event_id, u.type, u.data, u.metadata, timestamptz 'epoch' + u.recorded_ms * interval '1 millisecond'
    FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[])
      WITH ORDINALITY AS u(stream_id, version, event_id, type, data, metadata, recorded_ms, i)
    ORDER BY u.i
    RETURNING position`;
  // As an append does: listeners hear of the new events (007-append-event.ts).
  const notify = `SELECT pg_notify($1, $2::text) WHERE NOT pg_try_advisory_xact_lock(${LOCK_LISTEN}, ${key})`;

  /** Where each event goes, or already is; the new ones to insert, in order. */
  async function plan(client: ClientBase, events: readonly CopiedEvent[]) {
    const { rows: places } = await client.query<Place>(findIds, [events.map((e) => e.eventId)]);
    const stored = new Map(places.map((p) => [Number(p.i) - 1, p]));
    const streams = [...new Set(events.map((e) => e.streamId))];
    const { rows } = await client.query<{ streamId: string; version: number }>(streamVersions, [streams]);
    const versions = new Map(rows.map((r) => [r.streamId, r.version]));
    const positions: (number | undefined)[] = [];
    const fresh: CopiedEvent[] = [];
    events.forEach((e, i) => {
      const place = stored.get(i);
      if (copyAction(e, place, versions.get(e.streamId) ?? 0) === 'stored') {
        positions.push(place!.position);
        return;
      }
      versions.set(e.streamId, e.version);
      positions.push(undefined);
      fresh.push(e);
    });
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

  return async function writeCopied(events: readonly CopiedEvent[], beforeCommit: BeforeCopyCommit): Promise<CopiedPositions> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_APPEND, key]);
        const { positions, fresh } = await plan(client, events);
        const inserted = await insert(client, fresh);
        let next = 0;
        const copied = { positions: positions.map((p) => p ?? inserted[next++]!), written: fresh.length };
        await beforeCommit(copied, (tables) => postgresReadModelDb(client, tables));
        await flushDeferred(client);
        if (inserted.length > 0) await client.query(notify, [channel, inserted.at(-1)]);
        await client.query('COMMIT');
        return copied;
      } catch (error) {
        discardDeferred(client);
        await client.query('ROLLBACK');
        throw error;
      }
    } finally {
      client.release();
    }
  };
}
