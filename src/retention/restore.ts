// Restoring an archive: after every hash verifies, its events go back exactly as they
// were stored, in one transaction with a RetentionRestored event in `$retention`. Into
// the store they were pruned from, each returns to its own position (positions are never
// reused, so it is free); consumers already past those positions do not see them again,
// as they read only after their checkpoints. Into another store (the safer default for
// looking at old events), they take the same positions and versions there.

import { ValidationError } from '../core/errors.js';
import type { EventStore } from '../store/event-store.js';
import type { StoredEvent } from '../store/storage.js';
import { readArchive, verifyArchive, type ArchivedRange } from './archive.js';
import { RETENTION_STREAM } from './prune.js';
import { RETENTION_RESTORED } from './runs.js';

export { RETENTION_RESTORED };

export interface RetentionRestoredData {
  run: string;
  archive: string;
  sha256: string;
  events: number;
  ranges: ArchivedRange[] | 'in-manifest';
}

export interface RestoreReport {
  run: string;
  restored: number;
  /** The position of the RetentionRestored event. */
  auditPosition: number;
}

/**
 * Restores the archive `file` (the .jsonl.gz, or its manifest) into `into`. Throws
 * ArchiveInvalidError when a hash fails, RestoreConflictError when an event's place is
 * taken, MaintenanceBusyError while a prune or a backup holds the store; nothing is
 * written then.
 */
export async function restoreArchive(file: string, into: EventStore): Promise<RestoreReport> {
  return into.maintenance.withLock('archive restore', () => restoreHoldingStore(file, into));
}

async function restoreHoldingStore(file: string, into: EventStore): Promise<RestoreReport> {
  const { manifest } = await verifyArchive(file);
  // The memory store keeps values, the SQL stores text: bodies move only between alike.
  if ((manifest.store === 'memory') !== (into.kind === 'memory')) {
    throw new ValidationError('into', `an archive of a ${manifest.store} store cannot be restored into a ${into.kind} store`);
  }
  const events: StoredEvent<unknown>[] = [];
  for await (const event of readArchive(file)) events.push(event);
  events.sort((a, b) => a.position - b.position);
  const data: RetentionRestoredData = {
    run: manifest.run,
    archive: manifest.file,
    sha256: manifest.sha256,
    events: events.length,
    ranges: manifest.ranges.length <= 1000 ? manifest.ranges : 'in-manifest',
  };
  const result = await into.retention.restore(events, { streamId: RETENTION_STREAM, events: [{ type: RETENTION_RESTORED, data }] });
  return { run: manifest.run, restored: result.restored, auditPosition: result.audit.lastPosition };
}
