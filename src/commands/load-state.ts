// Rebuilding a stream's state is one read and one fold. Command handling does it
// before every decision; read sides (a demo, a query) use it to show the current state.

import type { EventStore } from '../store/event-store.js';
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
}

/**
 * Reads a stream and folds it from the initial state.
 *
 * @example
 * const { state, version } = await loadState(store, 'post-1', postDecider);
 */
export async function loadState<State>(
  store: EventStore,
  streamId: string,
  folder: StateFolder<State>,
): Promise<LoadedState<State>> {
  const events = await store.readStream(streamId);
  let state = folder.initialState();
  for (const event of events) state = folder.evolve(state, event);
  const last = events[events.length - 1];
  return { state, version: last?.version ?? 0, lastPosition: last?.position ?? 0 };
}
