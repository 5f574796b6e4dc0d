// Loading with a snapshot: one snapshot read, then only the events after it. The
// snapshot is used only if it has the reader's schema version and the stream really
// reaches its version; otherwise the caller folds the whole stream, as without one.

import type { EventStore, FoldedEvent } from '../store/event-store.js';
import { warn, type ResolvedSnapshotOptions } from './options.js';

export interface LoadedFromSnapshot<State> {
  state: State;
  version: number;
  lastPosition: number;
  /** The version of the snapshot the state started from. */
  snapshotVersion: number;
  /** Events folded on top of the snapshot. */
  eventsApplied: number;
}

/**
 * The state from the stream's snapshot and the events after it, or undefined when
 * there is no usable snapshot. A snapshot that cannot be read is logged and ignored.
 */
export async function loadFromSnapshot<State>(
  store: EventStore,
  streamId: string,
  evolve: (state: State, event: FoldedEvent) => State,
  options: ResolvedSnapshotOptions,
): Promise<LoadedFromSnapshot<State> | undefined> {
  let snapshot;
  try {
    snapshot = await store.snapshots.load<State>(streamId);
  } catch (error) {
    warn(options.logger, `ignoring the snapshot of stream '${streamId}'`, error);
    return undefined;
  }
  // Another schema version is another shape of state: never misread it.
  if (snapshot === undefined || snapshot.schemaVersion !== options.schemaVersion) return undefined;

  // Reading from the snapshot's own version costs one event and gives the stream's
  // last position even when nothing follows, and proves the stream reaches that far.
  const from = snapshot.version;
  const folded = await store.foldStream(streamId, snapshot.state, (state, event) => (event.version === from ? state : evolve(state, event)), {
    fromVersion: from,
  });
  if (folded.firstVersion !== from) {
    warn(options.logger, `ignoring the snapshot of stream '${streamId}'`, `it is at version ${from}, past the stream's end`);
    return undefined;
  }
  return {
    state: folded.state,
    version: folded.version,
    lastPosition: folded.lastPosition,
    snapshotVersion: from,
    eventsApplied: folded.events - 1,
  };
}
