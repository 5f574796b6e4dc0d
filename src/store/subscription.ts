// A subscription catches up from a position, then follows new events as they are
// appended, handing the handler one event at a time and awaiting it. It reads in
// bounded batches, so a slow handler slows reading and memory stays flat.

import { ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import type { ReadAllOptions } from './reads.js';
import { createWakeup } from './wakeup.js';

export interface SubscribeOptions extends ReadAllOptions {
  handler: (event: RecordedEvent) => Promise<void> | void;
  /** How often to look for new events when no change notice arrives. Default 1000 ms. */
  pollIntervalMs?: number;
}

export interface Subscription {
  /** The position of the last event handled (or the starting position). */
  readonly position: number;
  /** Stops after the event being handled; rejects if the handler had failed. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves on stop(), rejects when the handler throws. */
  readonly done: Promise<void>;
}

type ReadAll = (options: ReadAllOptions) => AsyncIterable<RecordedEvent>;
type Watch = (onChange: () => void) => () => void;

/** Starts a subscription over `readAll` (the store's), woken by `watch` (the storage's) when it has one. */
export function startSubscription(readAll: ReadAll, watch: Watch | undefined, options: SubscribeOptions): Subscription {
  const { handler, pollIntervalMs = 1000, ...read } = options;
  if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function');
  if (typeof pollIntervalMs !== 'number' || !(pollIntervalMs > 0)) {
    throw new ValidationError('pollIntervalMs', 'must be a number > 0');
  }
  // readAll checks after, types, streamPrefix and batchSize as it is called: a bad option throws here.
  readAll(read);

  let position = read.after ?? 0;
  let stopping = false;
  const wakeup = createWakeup();
  const unwatch = watch?.(wakeup.nudge);

  const done = (async () => {
    try {
      while (!stopping) {
        await wakeup.wait(pollIntervalMs);
        for await (const event of readAll({ ...read, after: position })) {
          await handler(event);
          position = event.position;
          if (stopping) break;
        }
      }
    } finally {
      unwatch?.();
    }
  })();
  done.catch(() => {});

  return {
    get position() {
      return position;
    },
    async stop() {
      stopping = true;
      wakeup.nudge();
      await done;
    },
    done,
  };
}
