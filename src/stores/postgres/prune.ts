// Pruning on PostgreSQL: one transaction removes stream prefixes (leaving each pruned
// event's place in pruned_events) and appends the audit event, taking the append lock
// only once the rows are deleted; a restore puts archived events back where they were,
// under the append lock throughout. The
// position sequence never goes back, so no position is handed out twice.

import type { ClientBase, Pool } from 'pg';
import { RestoreConflictError, type ExpectedVersion } from '../../core/errors.js';
import { assertPrunable, restoreConflict } from '../../store/prune-rules.js';
import type { AppendResult, AuditAppend, EventToStore, RetentionStorage } from '../../store/storage.js';
import type { EventIds } from '../event-ids.js';
import { LOCK_APPEND } from './identifiers.js';

type Append = (db: ClientBase, streamId: string, events: readonly EventToStore[], expectedVersion: ExpectedVersion) => Promise<AppendResult>;

export function preparePruning(pool: Pool, s: string, key: number, ids: EventIds, append: Append, bytes: () => Promise<number>): RetentionStorage {
  const versions = `
    SELECT r.stream_id AS "streamId",
      coalesce((SELECT max(e.version) FROM ${s}.events e WHERE e.stream_id = r.stream_id),
               (SELECT max(p.version) FROM ${s}.pruned_events p WHERE p.stream_id = r.stream_id), 0) AS version
    FROM unnest($1::text[]) WITH ORDINALITY AS r(stream_id, i)
    ORDER BY r.i`;
  const prunedTo = `
    SELECT coalesce((SELECT min(e.version) - 1 FROM ${s}.events e WHERE e.stream_id = $1),
                    (SELECT max(p.version) FROM ${s}.pruned_events p WHERE p.stream_id = $1), 0) AS "prunedTo"`;
  // Each range's prefix leaves the events table and leaves its places behind, in one statement.
  const removePrefixes = `
    WITH removed AS (
      DELETE FROM ${s}.events e USING unnest($1::text[], $2::bigint[]) AS r(stream_id, up_to)
      WHERE e.stream_id = r.stream_id AND e.version <= r.up_to
      RETURNING e.position, e.stream_id, e.version, e.event_id)
    INSERT INTO ${s}.pruned_events (position, stream_id, version, event_id) SELECT * FROM removed`;
  const places = `
    SELECT u.position, p.stream_id AS "streamId", p.version, p.event_id AS "eventId",
      EXISTS (SELECT 1 FROM ${s}.events e WHERE e.position = u.position OR (e.stream_id = u.stream_id AND e.version = u.version)) AS taken,
      EXISTS (SELECT 1 FROM ${s}.pruned_events q WHERE q.stream_id = u.stream_id AND q.version = u.version) AS "versionUsed",
      EXISTS (SELECT 1 FROM ${s}.events e WHERE e.event_id = u.event_id) AS "idTaken"
    FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[]) AS u(position, stream_id, version, event_id)
    LEFT JOIN ${s}.pruned_events p ON p.position = u.position
    ORDER BY u.position`;
  const forgetPlaces = `DELETE FROM ${s}.pruned_events WHERE position = ANY ($1::bigint[])`;
  const insertEvents = `
    INSERT INTO ${s}.events (position, stream_id, version, event_id, type, data, metadata, recorded_at)
    OVERRIDING SYSTEM VALUE
    SELECT u.position, u.stream_id, u.version, u.event_id, u.type, u.data, u.metadata,
      timestamptz 'epoch' + u.recorded_ms * interval '1 millisecond'
    FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::bigint[])
      AS u(position, stream_id, version, event_id, type, data, metadata, recorded_ms)`;
  // Events restored into another store take positions its sequence has not reached yet:
  // it moves past them, so it never hands them out.
  const passRestored = `
    SELECT setval(q.seq, $1::bigint)
    FROM (SELECT pg_get_serial_sequence('${s}.events', 'position')::regclass AS seq) AS q
    WHERE $1::bigint > coalesce(pg_sequence_last_value(q.seq), 0)`;

  /** Runs `work` in a transaction that holds the append lock, then appends the audit event in it. */
  function underAppendLock<T>(work: (client: ClientBase) => Promise<T>, audit: AuditAppend): Promise<T & { audit: AppendResult }> {
    return audited(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_APPEND, key]);
      return work(client);
    }, audit);
  }

  /** Runs `work` in a transaction, then appends the audit event in it (the append takes the append lock, if `work` did not). */
  async function audited<T>(work: (client: ClientBase) => Promise<T>, audit: AuditAppend): Promise<T & { audit: AppendResult }> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const done = await work(client);
        const result = await append(client, audit.streamId, audit.events, 'any');
        await client.query('COMMIT');
        return { ...done, audit: { nextExpectedVersion: result.nextExpectedVersion, lastPosition: result.lastPosition } };
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    } finally {
      client.release();
    }
  }

  return {
    // VACUUM marks the pruned rows' space free for new rows and gives back the pages at
    // the end of the table; only VACUUM FULL (a rewrite under an exclusive lock) shrinks
    // it further, when the operator asks (`full`).
    async reclaimSpace({ full }) {
      const bytesBefore = await bytes();
      if (full) {
        await pool.query(`VACUUM (FULL, ANALYZE) ${s}.events, ${s}.pruned_events`);
        return { bytesBefore, bytesAfter: await bytes(), done: 'vacuum-full' as const };
      }
      await pool.query(`VACUUM (ANALYZE) ${s}.events, ${s}.pruned_events`);
      return {
        bytesBefore,
        bytesAfter: await bytes(),
        done: 'vacuum-analyze' as const,
        advice:
          "the removed events' space now takes new events; a full vacuum (eventline reclaim --full: VACUUM FULL) gives it back " +
          'to the disk, rewriting the table under a lock that stops appends and reads until it is done',
      };
    },

    async prunedTo(streamId) {
      const { rows } = await pool.query<{ prunedTo: number }>(prunedTo, [streamId]);
      return rows[0]!.prunedTo;
    },

    // The deletion runs beside appends: it touches only rows no append writes, and a
    // million of them take seconds that writers must not wait. The append lock comes
    // after it, for the checks that must see every append (a stream removed whole still at
    // its planned version) and for the audit event, and is held to the commit: no append
    // is ever halfway through when the deletion becomes visible.
    async prune(ranges, audit) {
      const streamIds = ranges.map((r) => r.streamId);
      const assertVersions = async (client: ClientBase) => {
        const { rows } = await client.query<{ streamId: string; version: number }>(versions, [streamIds]);
        ranges.forEach((r, i) => assertPrunable(r.streamId, r.upToVersion, rows[i]!.version, r.version));
      };
      return audited(async (client) => {
        await assertVersions(client);
        const { rowCount } = await client.query(removePrefixes, [streamIds, ranges.map((r) => r.upToVersion)]);
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_APPEND, key]);
        await assertVersions(client);
        return { removed: rowCount ?? 0 };
      }, audit);
    },

    restore(events, audit) {
      return underAppendLock(async (client) => {
        const positions = events.map((e) => e.position);
        if (new Set(positions).size !== positions.length) {
          const e = events.find((x, i) => positions.indexOf(x.position) !== i)!;
          throw new RestoreConflictError(e.position, e.streamId, e.version, 'its place is taken');
        }
        const { rows } = await client.query<PlaceRow>(places, [positions, events.map((e) => e.streamId), events.map((e) => e.version), events.map((e) => e.eventId)]);
        const byPosition = new Map(rows.map((r) => [r.position, r]));
        for (const e of events) {
          const row = byPosition.get(e.position)!;
          const place = row.streamId === null ? undefined : { streamId: row.streamId, version: row.version!, eventId: row.eventId };
          const conflict = restoreConflict(e, place, row.taken || row.idTaken, row.versionUsed);
          if (conflict !== undefined) throw new RestoreConflictError(e.position, e.streamId, e.version, conflict);
        }
        await client.query(forgetPlaces, [positions]);
        await client.query(insertEvents, [
          positions,
          events.map((e) => e.streamId),
          events.map((e) => e.version),
          // An id this schema names after the position is stored as none, as when it was appended.
          events.map((e) => (ids.positionOf(e.eventId) === e.position ? null : e.eventId)),
          events.map((e) => e.type),
          events.map((e) => e.data),
          events.map((e) => e.metadata),
          events.map((e) => e.recordedAt.getTime()),
        ]);
        if (events.length > 0) await client.query(passRestored, [Math.max(...positions)]);
        return { restored: events.length };
      }, audit);
    },
  };
}

type PlaceRow = { position: number; streamId: string | null; version: number | null; eventId: string | null; taken: boolean; versionUsed: boolean; idTaken: boolean };
