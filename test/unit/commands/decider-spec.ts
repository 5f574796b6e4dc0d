// Given/when/then for a decider, without a store: fold the given events, decide the
// command, and compare the events it decides or the error it throws.

import assert from 'node:assert/strict';
import type { Decider, DeciderEvent } from '../../../src/commands/index.js';

type ErrorExpectation = { name: string; message?: string | RegExp; field?: string };

/**
 * @example
 * deciderSpec(postDecider).given([created]).when(publish).then([published]);
 */
export function deciderSpec<State, Command, Event extends DeciderEvent>(decider: Decider<State, Command, Event>) {
  return {
    given(events: readonly Event[]) {
      return {
        when(command: Command) {
          const decide = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
          return {
            then(expected: readonly Event[]): void {
              assert.deepEqual(decide(), expected);
            },
            thenThrows(expected: ErrorExpectation): void {
              assert.throws(decide, expected);
            },
          };
        },
      };
    },
  };
}
