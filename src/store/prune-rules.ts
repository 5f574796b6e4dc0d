// The rules every store applies to a prune before it removes anything, in one place so
// the stores cannot disagree (as append-rules.ts does for appends).

import { ConcurrencyError, ValidationError } from '../core/errors.js';
import type { StoredEvent } from './storage.js';

/**
 * Throws ValidationError unless versions 1..upToVersion of a stream at `version` can be
 * pruned, and ConcurrencyError when the range expects the stream at another version.
 */
export function assertPrunable(streamId: string, upToVersion: number, version: number, expected?: number): void {
  if (expected !== undefined && expected !== version) throw new ConcurrencyError(streamId, expected, version);
  if (!Number.isSafeInteger(upToVersion) || upToVersion < 1) {
    throw new ValidationError('upToVersion', `must be a whole number from 1 on, for stream '${streamId}'`);
  }
  if (upToVersion > version) {
    throw new ValidationError('upToVersion', `stream '${streamId}' is at version ${version}: cannot prune up to ${upToVersion}`);
  }
}

/**
 * Why an event cannot go back to its place, or undefined when it can: where it was pruned
 * from, or (restoring into another store) at a position and stream version that hold no
 * event there and held none that was pruned. `taken`: another event has its position, its
 * stream version, or its id.
 */
export function restoreConflict(
  event: Pick<StoredEvent<unknown>, 'position' | 'streamId' | 'version' | 'eventId'>,
  place: { streamId: string; version: number; eventId: string | null } | undefined,
  taken: boolean,
  versionUsedBefore: boolean,
): string | undefined {
  if (taken) return 'its place is taken';
  if (place !== undefined) {
    const sameId = place.eventId === null || place.eventId === event.eventId;
    return place.streamId === event.streamId && place.version === event.version && sameId ? undefined : 'another event was pruned from there';
  }
  return versionUsedBefore ? 'its stream version was used by another event' : undefined;
}
