// The time a workflow decides with. Production reads the system clock; tests inject
// one they move by hand, so a 48-hour deadline passes in a line.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
