// A decider is the whole of a domain's write side as three pure functions: where a
// stream starts, how each event changes its state, and what a command decides. Being
// pure, it can be tested without a store and run unchanged on every store.

/** An event as a decider sees it. A RecordedEvent is one too, so a loaded stream folds directly. */
export interface DeciderEvent {
  type: string;
  data: unknown;
}

/**
 * @example
 * const counter: Decider<number, { type: 'Add'; amount: number }, { type: 'Added'; data: { amount: number } }> = {
 *   initialState: () => 0,
 *   evolve: (total, event) => total + event.data.amount,
 *   decide: (command) => (command.amount === 0 ? [] : [{ type: 'Added', data: { amount: command.amount } }]),
 * };
 */
export interface Decider<State, Command, Event extends DeciderEvent = DeciderEvent> {
  /** The state of a stream that has no events yet. */
  initialState(): State;
  /** The state after one more event. Never throws for an event it does not know: it returns the state unchanged. */
  evolve(state: State, event: Event): State;
  /** The new events a command produces in this state (none is fine), or a typed error that refuses it. */
  decide(command: Command, state: State): readonly Event[];
}
