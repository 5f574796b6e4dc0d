// Waiting for new events: a poll interval that a change cuts short. A change noticed
// while nobody waits is kept, so the next wait returns at once; even then it gives the
// event loop a turn, so a reader with a long backlog never starves the process (on
// SQLite every statement is synchronous).

export interface Wakeup {
  /** Marks a change and ends the wait in progress. */
  nudge(): void;
  /** Resolves at the next change or after `ms`, at once if a change is pending; then clears it. */
  wait(ms: number): Promise<void>;
}

export function createWakeup(): Wakeup {
  // A new reader has not looked yet: as good as a change.
  let pending = true;
  let wake: (() => void) | undefined;
  return {
    nudge() {
      pending = true;
      wake?.();
    },
    async wait(ms) {
      if (pending) await new Promise<void>((resolve) => setImmediate(resolve));
      else await delay(ms, (cut) => (wake = cut));
      wake = undefined;
      pending = false;
    },
  };
}

/** Resolves after `ms`, or as soon as the function handed to `onCut` is called. */
export function delay(ms: number, onCut: (cut: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    onCut(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
