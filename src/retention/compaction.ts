// Compaction: before a prune removes a prefix of a stream that keeps events, it appends a
// StreamCompacted event carrying the state the stream's fold reaches, so what the
// removed events carried is kept. A fold that meets it starts over from its state.

import { ValidationError } from '../core/errors.js';
import { STREAM_COMPACTED } from '../core/retention-names.js';
import type { RetentionFold } from './policy.js';

export { STREAM_COMPACTED };

export interface StreamCompacted<State = unknown> {
  /** The stream's version the state reflects: every event up to it, this one excluded. */
  upToVersion: number;
  state: State;
  stateSchemaVersion: number;
}

/**
 * The fold's evolve, made to take StreamCompacted events: such an event replaces the
 * state with the one it carries (it reflects every event before it), or is refused with
 * a ValidationError when its state's shape is not the one the fold expects.
 *
 * @example
 * const evolve = compactingEvolve({ ...postDecider, stateSchemaVersion: 1 });
 * const { state } = await store.foldStream('post-1', postDecider.initialState(), evolve);
 */
export function compactingEvolve<State>(fold: RetentionFold<State>): (state: State, event: { type: string; data: unknown }) => State {
  return (state, event) => {
    if (event.type !== STREAM_COMPACTED) return fold.evolve(state, event);
    const data = event.data as Partial<StreamCompacted<State>> | null;
    if (data?.stateSchemaVersion !== fold.stateSchemaVersion) {
      throw new ValidationError('stateSchemaVersion', `a StreamCompacted event of state version ${String(data?.stateSchemaVersion)} met a fold of version ${fold.stateSchemaVersion}`);
    }
    return data.state as State;
  };
}
