// When to take a snapshot. A policy is a plain function of what a command just did,
// so an application can write its own in one line; these two cover most needs.

import { assertCount } from '../core/validation.js';

/** What a policy sees after a command (or an aggregate's save) succeeded. */
export interface SnapshotMoment {
  streamId: string;
  /** The stream's version now. */
  version: number;
  /** The version of the snapshot the load started from: 0 when it used none. */
  snapshotVersion: number;
  /** Events the load folded on top of that snapshot (the whole stream without one). */
  eventsApplied: number;
  /** Events the command appended. */
  eventsAppended: number;
}

/** True when a snapshot should be taken now. */
export type SnapshotPolicy = (moment: SnapshotMoment) => boolean;

/**
 * Takes a snapshot once the stream is `n` or more events past the snapshot it was
 * loaded from. A stream without a usable snapshot (none yet, another schema version,
 * a failed write) gets one as soon as it has `n` events.
 *
 * @example
 * await handleCommand(store, 'post-1', postDecider, command, { snapshots: { schemaVersion: 1, policy: everyNEvents(100) } });
 */
export function everyNEvents(n: number): SnapshotPolicy {
  assertCount(n, 'n', 1);
  return ({ version, snapshotVersion }) => version - snapshotVersion >= n;
}

/**
 * Takes a snapshot when the load before the command had to fold more than `n` events:
 * streams that are read often but rarely long get none.
 *
 * @example
 * const snapshots = { schemaVersion: 1, policy: whenLoadReadMoreThan(500) };
 */
export function whenLoadReadMoreThan(n: number): SnapshotPolicy {
  assertCount(n, 'n', 0);
  return ({ eventsApplied }) => eventsApplied > n;
}
