// An optional step between the application's events and the codec, for work on their
// data that needs I/O (sealing personal fields with keys kept elsewhere, say): it runs
// before an append is encoded and after a read is decoded, a batch at a time. The store
// knows nothing of what it does; events of the types it does not handle never meet it.

import { randomUUID } from 'node:crypto';
import type { EventCodec } from '../core/codec.js';
import { ValidationError } from '../core/errors.js';
import type { NewEvent, RecordedEvent } from '../core/events.js';
import { eventPreparer } from './prepare-events.js';

/** An event as a payload guard sees it: its id (final), its type, its data and its metadata. */
export interface GuardedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Record<string, unknown> | undefined;
}

/** Work on events' data that needs I/O, such as sealing personal fields with keys kept elsewhere. */
export interface PayloadGuard {
  /** Whether events of this type pass through it; the others skip it at no cost. */
  handles(type: string): boolean;
  /**
   * Before an append is encoded: the data to store for each event (same order). Each
   * event has its final id and checked data. May refuse with an EventlineError: then
   * nothing is written. Must not change the events it is given.
   */
  seal(events: readonly GuardedEvent[]): Promise<unknown[]>;
  /**
   * After a read is decoded: the data to hand out for each event (same order). Never
   * throws for a field it cannot open because its key is gone (an erased one).
   */
  reveal(events: readonly GuardedEvent[]): Promise<unknown[]>;
}

/** Refuses a `payloads` option that is not a guard, when the store is made. */
export function assertPayloadGuard(guard: unknown): asserts guard is PayloadGuard {
  const methods = ['handles', 'seal', 'reveal'];
  if (typeof guard !== 'object' || guard === null || methods.some((m) => typeof (guard as Record<string, unknown>)[m] !== 'function')) {
    throw new ValidationError('payloads', 'must be an object with the functions handles, seal and reveal');
  }
}

/** Checks, without encoding: ids lower-cased, data and metadata JSON can carry, size within bounds. */
const asIs: EventCodec<unknown> = {
  encode: ({ type, data, metadata }) => ({ type, data, metadata: metadata ?? null }),
  decode: ({ type, data, metadata }) => ({ type, data, metadata: (metadata ?? undefined) as Record<string, unknown> | undefined }),
};

export interface AppendSealer {
  /** Whether an append (not checked yet) has an event the guard handles: a scan, no allocation. */
  wants(events: readonly NewEvent[]): boolean;
  /** The events with the data of those it handles sealed. */
  seal(events: readonly NewEvent[]): Promise<NewEvent[]>;
}

/**
 * Seals the data of an append's handled events. The events are
 * checked first (as the append would check them), so the guard only ever sees valid
 * events; each handled event gets its final id: the caller's (lower-cased, as stored),
 * else a random UUID (an append given no ids is not a retry, so nothing is lost). The
 * caller then prepares the result as usual, which checks the sealed size.
 */
export function appendSealer(guard: PayloadGuard, maxEventBytes: number): AppendSealer {
  const check = eventPreparer(asIs, maxEventBytes);
  const wants = (events: readonly NewEvent[]) => {
    if (!Array.isArray(events)) return false;
    for (const event of events as unknown[]) {
      if (typeof event !== 'object' || event === null) continue;
      const type = (event as { type?: unknown }).type;
      if (typeof type === 'string' && guard.handles(type)) return true;
    }
    return false;
  };
  async function seal(events: readonly NewEvent[]): Promise<NewEvent[]> {
    const checked = check(events);
    const handled: GuardedEvent[] = [];
    const at: number[] = [];
    for (const [i, event] of checked.entries()) {
      if (!guard.handles(event.type)) continue;
      const metadata = (event.metadata ?? undefined) as Record<string, unknown> | undefined;
      handled.push({ eventId: event.eventId ?? randomUUID(), type: event.type, data: event.data, metadata });
      at.push(i);
    }
    const sealed = await guard.seal(handled);
    assertOnePerEvent(sealed, handled.length, 'seal');
    const out: NewEvent[] = [...events];
    at.forEach((i, j) => {
      const { eventId, type } = handled[j]!;
      const { metadata } = events[i]!;
      out[i] = metadata === undefined ? { type, data: sealed[j], eventId } : { type, data: sealed[j], metadata, eventId };
    });
    return out;
  }
  return { wants, seal };
}

/**
 * Reveals the data of the handled events among `events` in place, in one call of the
 * guard; `events` are the read's own fresh objects. Answers `events`.
 */
export async function revealEvents(guard: PayloadGuard, events: RecordedEvent[]): Promise<RecordedEvent[]> {
  let handled: RecordedEvent[] | undefined;
  for (const event of events) if (guard.handles(event.type)) (handled ??= []).push(event);
  if (handled === undefined) return events;
  const revealed = await guard.reveal(handled);
  assertOnePerEvent(revealed, handled.length, 'reveal');
  handled.forEach((event, j) => {
    event.data = revealed[j];
  });
  return events;
}

function assertOnePerEvent(answer: unknown, count: number, step: string): asserts answer is unknown[] {
  if (!Array.isArray(answer) || answer.length !== count) {
    throw new ValidationError('payloads', `${step} must answer an array with one data per event given (${count})`);
  }
}
