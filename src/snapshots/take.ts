// Taking a snapshot after a write. It is an optimisation, never a condition of the
// write: a policy that throws or a snapshot that cannot be saved is logged in one
// line, and the command that triggered it still succeeds.

import type { EventStore } from '../store/event-store.js';
import { warn, type ResolvedSnapshotOptions } from './options.js';
import type { SnapshotMoment } from './policies.js';

export interface SnapshotCandidate<State> extends SnapshotMoment {
  /** The stream's state at `version`. */
  state: State;
}

/** Saves the state as the stream's snapshot if the policy says so; resolves to whether it was saved. */
export async function takeSnapshotIfDue<State>(
  store: EventStore,
  { state, ...moment }: SnapshotCandidate<State>,
  options: ResolvedSnapshotOptions,
): Promise<boolean> {
  const { streamId, version } = moment;
  if (version === 0) return false;
  try {
    if (!options.policy(moment)) return false;
    return await store.snapshots.save({ streamId, version, schemaVersion: options.schemaVersion, state });
  } catch (error) {
    warn(options.logger, `no snapshot of stream '${streamId}' at version ${version}`, error);
    return false;
  }
}
