// Pruning on SQLite: one IMMEDIATE transaction removes stream prefixes (leaving each
// pruned event's place in pruned_events) and appends the audit event, or puts archived
// events back where they were. Positions are never handed out again: deleting a row
// raises positions_used (the events_deleted trigger, schema 4).

import type { Database } from 'better-sqlite3';
import { RestoreConflictError } from '../../core/errors.js';
import { assertPrunable, restoreConflict } from '../../store/prune-rules.js';
import type { AuditAppend, PruneRange, PruneResult, RestoreResult, SpaceReport, StoredEvent } from '../../store/storage.js';
import type { EventIds } from '../event-ids.js';
import type { AppendInTransaction } from './append.js';

const STREAM_VERSION = `
  SELECT coalesce((SELECT max(version) FROM events WHERE stream_id = @id),
                  (SELECT max(version) FROM pruned_events WHERE stream_id = @id), 0)`;

// The first version still stored, less one; with no event left, the whole stream is pruned.
const PRUNED_TO = `
  SELECT coalesce((SELECT min(version) - 1 FROM events WHERE stream_id = @id),
                  (SELECT max(version) FROM pruned_events WHERE stream_id = @id), 0)`;

const KEEP_PLACES = `
  INSERT INTO pruned_events (position, stream_id, version, event_id)
  SELECT position, stream_id, version, event_id FROM events WHERE stream_id = ? AND version <= ?`;

const DELETE_PREFIX = `DELETE FROM events WHERE stream_id = ? AND version <= ?`;

const PRUNED_PLACE = `SELECT stream_id AS streamId, version, event_id AS eventId FROM pruned_events WHERE position = ?`;
// The place, or the id (one a caller gave), is another event's.
const TAKEN = `SELECT 1 FROM events WHERE position = ? OR (stream_id = ? AND version = ?) OR event_id = ?`;
const USED_BEFORE = `SELECT 1 FROM pruned_events WHERE stream_id = ? AND version = ?`;
const FORGET_PLACE = `DELETE FROM pruned_events WHERE position = ?`;
const INSERT_EVENT = `
  INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, recorded_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

export interface SqlitePruning {
  prunedTo(streamId: string): number;
  prune(ranges: readonly PruneRange[], audit: AuditAppend): PruneResult;
  restore(events: readonly StoredEvent[], audit: AuditAppend): RestoreResult;
}

/** The statements of pruning and restoring, prepared once; each function runs one transaction. */
export function preparePruning(db: Database, ids: EventIds, appendInTransaction: AppendInTransaction): SqlitePruning {
  const streamVersion = db.prepare<[{ id: string }]>(STREAM_VERSION).pluck();
  const prunedTo = db.prepare<[{ id: string }]>(PRUNED_TO).pluck();
  const keepPlaces = db.prepare(KEEP_PLACES);
  const deletePrefix = db.prepare(DELETE_PREFIX);
  const prunedPlace = db.prepare<[number], { streamId: string; version: number; eventId: string | null }>(PRUNED_PLACE);
  const taken = db.prepare(TAKEN).pluck();
  const usedBefore = db.prepare(USED_BEFORE).pluck();
  const forgetPlace = db.prepare(FORGET_PLACE);
  const insertEvent = db.prepare(INSERT_EVENT);

  const audited = ({ streamId, events }: AuditAppend) => {
    const { wrote: _wrote, ...result } = appendInTransaction(streamId, events, 'any');
    return result;
  };

  const prune = db.transaction((ranges: readonly PruneRange[], audit: AuditAppend): PruneResult => {
    for (const r of ranges) assertPrunable(r.streamId, r.upToVersion, streamVersion.get({ id: r.streamId }) as number, r.version);
    let removed = 0;
    for (const { streamId, upToVersion } of ranges) {
      keepPlaces.run(streamId, upToVersion);
      removed += deletePrefix.run(streamId, upToVersion).changes;
    }
    return { removed, audit: audited(audit) };
  });

  const restore = db.transaction((events: readonly StoredEvent[], audit: AuditAppend): RestoreResult => {
    for (const e of events) {
      const place = prunedPlace.get(e.position);
      const conflict = restoreConflict(e, place, taken.get(e.position, e.streamId, e.version, e.eventId) !== undefined, usedBefore.get(e.streamId, e.version) !== undefined);
      if (conflict !== undefined) throw new RestoreConflictError(e.position, e.streamId, e.version, conflict);
      forgetPlace.run(e.position);
      // An id this file names after the position is stored as none, as when it was appended.
      const eventId = ids.positionOf(e.eventId) === e.position ? null : e.eventId;
      insertEvent.run(e.position, e.streamId, e.version, eventId, e.type, e.data, e.metadata, e.recordedAt.getTime());
    }
    return { restored: events.length, audit: audited(audit) };
  });

  return {
    prunedTo: (streamId) => prunedTo.get({ id: streamId }) as number,
    prune: (ranges, audit) => prune.immediate(ranges, audit),
    restore: (events, audit) => restore.immediate(events, audit),
  };
}

/**
 * Gives the pages of removed events back to the file system. A file made with
 * auto_vacuum=INCREMENTAL (every file since schema 7) frees them at once; an older file
 * keeps them for new events unless `full` rewrites it (VACUUM), which also turns
 * incremental vacuum on. Then the WAL is checkpointed and truncated.
 */
export function reclaimSqliteSpace(db: Database, bytes: () => number, full: boolean): SpaceReport {
  const bytesBefore = bytes();
  const incremental = db.pragma('auto_vacuum', { simple: true }) === INCREMENTAL;
  let done: SpaceReport['done'] = 'none';
  if (incremental) {
    db.pragma('incremental_vacuum');
    done = 'incremental';
  } else if (full) {
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
    done = 'vacuum';
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  const free = (db.pragma('freelist_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  const advice =
    done === 'none' && free > 0
      ? `this file was made before incremental vacuum: ${free} bytes of free pages stay in it for new events. ` +
        'A full vacuum (eventline reclaim --full: VACUUM) gives them back and turns incremental vacuum on; it rewrites the whole file, ' +
        'needs up to twice its size free on disk, and holds the write lock while it runs'
      : undefined;
  return { bytesBefore, bytesAfter: bytes(), done, ...(advice === undefined ? {} : { advice }) };
}

const INCREMENTAL = 2;
