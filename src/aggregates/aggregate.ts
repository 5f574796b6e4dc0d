// The class-based style of the write side: an object that holds one stream's state,
// checks the rules in its methods and records what happened as pending events, which
// a repository (repository.ts) appends. The decider (commands/decider.ts) is the
// functional style of the same idea; examples/06-aggregate shows when to pick which.

import type { DeciderEvent } from '../commands/decider.js';

/** Hooks the repository uses to load and save an aggregate; not part of its public face. */
export const restoreAggregate = Symbol('eventline.restoreAggregate');
export const markAggregateSaved = Symbol('eventline.markAggregateSaved');

/**
 * The base of a class-based aggregate. A subclass gives `evolve` (how one event changes
 * the state) and one method per command, which checks the rules and calls `apply`.
 *
 * @example
 * class Counter extends Aggregate<number, { type: 'Added'; data: { n: number } }> {
 *   constructor(id: string) { super(id, 0); }
 *   evolve(total: number, event: { type: 'Added'; data: { n: number } }) { return total + event.data.n; }
 *   add(n: number) {
 *     if (n <= 0) throw new DomainError('Only positive amounts');
 *     this.apply({ type: 'Added', data: { n } });
 *   }
 * }
 */
export abstract class Aggregate<State, Event extends DeciderEvent = DeciderEvent> {
  #state: State;
  #version = 0;
  #pending: Event[] = [];

  /** `initialState` is the state of a stream with no events yet. */
  constructor(
    readonly id: string,
    initialState: State,
  ) {
    this.#state = initialState;
  }

  /** The state after one more event. Pure; returns the state unchanged for an event it does not know. */
  abstract evolve(state: State, event: Event): State;

  /** The state, including the events applied since the last load or save. */
  get state(): State {
    return this.#state;
  }

  /** The stream's version when this aggregate was loaded or last saved: the next save expects it. */
  get version(): number {
    return this.#version;
  }

  /** The events applied since the last load or save, in order; save() appends them. */
  get pendingEvents(): readonly Event[] {
    return [...this.#pending];
  }

  /** Records a new event: the state changes at once, and the next save appends it. Call it after every rule passed. */
  protected apply(event: Event): void {
    this.#state = this.evolve(this.#state, event);
    this.#pending.push(event);
  }

  [restoreAggregate](state: State, version: number): void {
    this.#state = state;
    this.#version = version;
    this.#pending = [];
  }

  [markAggregateSaved](version: number): void {
    this.#version = version;
    this.#pending = [];
  }
}
