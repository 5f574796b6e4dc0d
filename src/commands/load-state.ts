// Rebuilding a stream's state is one read and one fold. Command handling does it
// before every decision; read sides (a demo, a query) use it to show the current state.

import type { EventStore } from '../store/event-store.js';
import { loadFromSnapshot } from '../snapshots/load.js';
import { readSnapshotOptions, type ResolvedSnapshotOptions, type SnapshotOptions } from '../snapshots/options.js';
import type { DeciderEvent } from './decider.js';

/** The part of a decider that folds events: enough to rebuild state. */
export interface StateFolder<State> {
  initialState(): State;
  evolve(state: State, event: DeciderEvent): State;
}

export interface LoadedState<State> {
  state: State;
  /** The stream's version: 0 when it has no events. */
  version: number;
  /** The position of the stream's last event: 0 when it has no events. */
  lastPosition: number;
  /** The version of the snapshot the state started from: 0 when it was folded from the first event. */
  snapshotVersion: number;
  /** Events folded into the state by this load: all of them without a snapshot, only the newer ones with one. */
  eventsApplied: number;
}

export interface LoadStateOptions {
  /** Start from the stream's snapshot of this schema version, when it has one (docs/snapshots.md). */
  snapshots?: SnapshotOptions;
}

/**
 * Reads a stream and folds it from the initial state or, with `snapshots`, from the
 * stream's snapshot: one snapshot read, then only the events after it.
 *
 * @example
 * const { state, version } = await loadState(store, 'post-1', postDecider);
 * await loadState(store, 'post-1', postDecider, { snapshots: { schemaVersion: 1 } });
 */
export async function loadState<State>(
  store: EventStore,
  streamId: string,
  folder: StateFolder<State>,
  options: LoadStateOptions = {},
): Promise<LoadedState<State>> {
  return loadStateWith(store, streamId, folder, options.snapshots === undefined ? undefined : readSnapshotOptions(options.snapshots));
}

/** loadState with snapshot options already checked (handleCommand and a repository check theirs once, not per load). */
export async function loadStateWith<State>(
  store: EventStore,
  streamId: string,
  folder: StateFolder<State>,
  snapshots: ResolvedSnapshotOptions | undefined,
): Promise<LoadedState<State>> {
  if (snapshots !== undefined) {
    const evolve = (state: State, event: DeciderEvent) => folder.evolve(state, event);
    const loaded = await loadFromSnapshot(store, streamId, evolve, snapshots);
    if (loaded) return loaded;
  }
  const folded = await store.foldStream(streamId, folder.initialState(), (state, event) => folder.evolve(state, event));
  return { state: folded.state, version: folded.version, lastPosition: folded.lastPosition, snapshotVersion: 0, eventsApplied: folded.events };
}
