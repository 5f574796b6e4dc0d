// The rules every store applies inside its append transaction, in one place so the
// stores cannot disagree: idempotent retries first, then the expected version.

import { ConcurrencyError, DuplicateEventError, type ExpectedVersion } from '../core/errors.js';
import type { AppendResult, EventToStore, StoredEventId } from './storage.js';

/**
 * Given the events of an append that are already stored (looked up by eventId),
 * returns the original result when the append is an exact retry, throws
 * DuplicateEventError when any id is stored elsewhere, and returns undefined when
 * none is stored and the append should proceed.
 */
export function idempotentResult(
  streamId: string,
  events: readonly Pick<EventToStore, 'eventId'>[],
  existing: readonly StoredEventId[],
): AppendResult | undefined {
  if (existing.length === 0) return undefined;
  const byId = new Map(existing.map((e) => [e.eventId, e]));
  const storedAs = (id: string | undefined) => (id === undefined ? undefined : byId.get(id));
  const first = storedAs(events[0]!.eventId);
  for (let i = 0; i < events.length; i++) {
    const id = events[i]!.eventId;
    const stored = storedAs(id);
    if (!stored) {
      const other = id === undefined ? `events[${i}] of the same append has no id` : `${id} of the same append is not`;
      throw new DuplicateEventError(existing[0]!.eventId, `is already stored, but ${other}: not a retry of one append`);
    }
    if (stored.streamId !== streamId) {
      throw new DuplicateEventError(stored.eventId, `is already stored in stream '${stored.streamId}'`);
    }
    if (!first || stored.version !== first.version + i) {
      throw new DuplicateEventError(stored.eventId, `is already stored in stream '${streamId}' at another place`);
    }
  }
  const last = storedAs(events[events.length - 1]!.eventId)!;
  return { nextExpectedVersion: last.version, lastPosition: last.position };
}

/** Throws ConcurrencyError unless a stream at `actual` satisfies `expected`. */
export function checkExpectedVersion(streamId: string, expected: ExpectedVersion, actual: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 0) ||
    (expected === 'stream_exists' && actual > 0) ||
    expected === actual;
  if (!ok) throw new ConcurrencyError(streamId, expected, actual);
}
