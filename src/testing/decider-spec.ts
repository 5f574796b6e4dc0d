// Given/when/then for a decider, without a store: fold the given events, decide the
// command, and compare the events it decides or the error it throws. A decider is
// pure, so this is the whole test of a business rule.

import assert from 'node:assert/strict';
import type { Decider, DeciderEvent } from '../commands/decider.js';

/** The error a command should be refused with: its class, or its name and (part of) its message. */
export type ExpectedError =
  | (abstract new (...args: never[]) => Error)
  | { name: string; message?: string | RegExp; field?: string; code?: string };

export interface DeciderThen<Event> {
  /** The command decides exactly these events ([] for none). */
  then(expected: readonly Event[]): void;
  /** The command is refused with this error. */
  thenThrows(expected: ExpectedError): void;
}

export interface DeciderSpec<Command, Event> {
  given(events: readonly Event[]): { when(command: Command): DeciderThen<Event> };
}

/**
 * @example
 * import { deciderSpec } from 'eventline/testing';
 * const spec = deciderSpec(postDecider);
 * spec.given([created]).when(publish).then([published]);
 * spec.given([created, published]).when(publish).thenThrows({ name: 'DomainError', message: 'Post is already published' });
 * spec.given([]).when(publish).thenThrows(NotFoundError);
 */
export function deciderSpec<State, Command, Event extends DeciderEvent>(
  decider: Decider<State, Command, Event>,
): DeciderSpec<Command, Event> {
  return {
    given(events) {
      return {
        when(command) {
          const decide = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
          // A step object with a `then` method: do not `await` it.
          return {
            then(expected) {
              assert.deepEqual(decide(), expected);
            },
            thenThrows(expected) {
              if (typeof expected === 'function') {
                assert.throws(decide, (error: unknown) => {
                  assert.ok(error instanceof expected, `expected a ${expected.name}, got ${String(error)}`);
                  return true;
                });
              } else {
                assert.throws(decide, expected);
              }
            },
          };
        },
      };
    },
  };
}
