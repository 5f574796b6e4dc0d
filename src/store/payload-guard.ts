// An optional step between the application's events and the codec, for work on their
// data that needs I/O (sealing personal fields with keys kept elsewhere, say): it runs
// before an append is encoded and after a read is decoded, a batch at a time. The store
// knows nothing of what it does; events of the types it does not handle never meet it.

import type { EventCodec } from '../core/codec.js';
import { ValidationError } from '../core/errors.js';
import { uuidv7 } from '../core/uuid.js';
import type { NewEvent, RecordedEvent } from '../core/events.js';
import { eventPreparer } from './prepare-events.js';
import type { EventStorage } from './storage.js';

/** An event as a payload guard sees it: its id (final), its type, its data and its metadata. */
export interface GuardedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Record<string, unknown> | undefined;
}

/** A snapshot as a payload guard sees it: the stream and the version its state reflects. */
export interface GuardedSnapshot {
  readonly streamId: string;
  readonly version: number;
}

/** A stored event the guard handles, as `sealSnapshot` sees it: its type and its data as stored (sealed). */
export interface StoredGuardedEvent {
  readonly type: string;
  readonly data: unknown;
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
  /**
   * Optional, with `revealSnapshot`: seals a snapshot's state, since a state folded from
   * sealed data holds it in the clear. `json` is the state's JSON; `events` are the
   * stream's events up to the snapshot's version that the guard handles, with their data
   * as stored. Called only when there is at least one. Answers the text to store instead
   * of `json`, or undefined to store `json` as it is.
   */
  sealSnapshot?(snapshot: GuardedSnapshot, json: string, events: readonly StoredGuardedEvent[]): Promise<string | undefined>;
  /**
   * Optional, with `sealSnapshot`: the state's JSON from a stored snapshot text. A text
   * `sealSnapshot` did not make is answered as it is. Undefined when it can no longer be
   * opened (a key it was sealed under is gone): the snapshot then reads as absent. A
   * sealed text that does not open with keys that exist (altered) rejects with an
   * EventlineError.
   */
  revealSnapshot?(snapshot: GuardedSnapshot, text: string): Promise<string | undefined>;
}

/** Refuses a `payloads` option that is not a guard, when the store is made. */
export function assertPayloadGuard(guard: unknown): asserts guard is PayloadGuard {
  const methods = ['handles', 'seal', 'reveal'];
  if (typeof guard !== 'object' || guard === null || methods.some((m) => typeof (guard as Record<string, unknown>)[m] !== 'function')) {
    throw new ValidationError('payloads', 'must be an object with the functions handles, seal and reveal');
  }
  const { sealSnapshot, revealSnapshot } = guard as PayloadGuard;
  if ((sealSnapshot === undefined) !== (revealSnapshot === undefined) || [sealSnapshot, revealSnapshot].some((m) => m !== undefined && typeof m !== 'function')) {
    throw new ValidationError('payloads', 'sealSnapshot and revealSnapshot must be both functions or both absent');
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
 * else a new UUIDv7 (an append given no ids is not a retry, so nothing is lost). The
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
      // Time-ordered, so the ids a guard adds go to the end of the store's index of ids.
      handled.push({ eventId: event.eventId ?? uuidv7(), type: event.type, data: event.data, metadata });
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

/** Seals and reveals the state text of snapshots through a guard that has sealSnapshot and revealSnapshot. */
export interface SnapshotSealer {
  /** The text to store for the state's JSON at `version` of the stream. */
  seal(streamId: string, version: number, json: string): Promise<string>;
  /** The state's JSON from a stored text; undefined when it can no longer be opened. */
  reveal(streamId: string, version: number, text: string): Promise<string | undefined>;
}

const SNAPSHOT_SCAN_PAGE = 1000;

/**
 * The snapshot sealer of a guard, or undefined when it does not seal snapshots (then
 * snapshots are stored as before, at no cost). Sealing reads the stream's events up to
 * the snapshot's version as stored, without revealing them, and hands the guard those it
 * handles; a stream with none is stored as plain JSON without calling the guard.
 */
export function snapshotSealer<Body>(
  guard: PayloadGuard,
  storage: Pick<EventStorage<Body>, 'readStreamPayloads'>,
  codec: EventCodec<Body>,
): SnapshotSealer | undefined {
  if (guard.sealSnapshot === undefined || guard.revealSnapshot === undefined) return undefined;
  return {
    async seal(streamId, version, json) {
      const events: StoredGuardedEvent[] = [];
      let from = 1;
      while (from <= version) {
        const page = await storage.readStreamPayloads(streamId, from, Math.min(SNAPSHOT_SCAN_PAGE, version - from + 1));
        for (const payload of page) {
          if (payload.version > version) break;
          if (guard.handles(payload.type)) events.push({ type: payload.type, data: codec.decode(payload).data });
        }
        if (page.length === 0) break;
        from = page[page.length - 1]!.version + 1;
      }
      if (events.length === 0) return json;
      const sealed = await guard.sealSnapshot!({ streamId, version }, json, events);
      if (sealed === undefined) return json;
      if (typeof sealed !== 'string') throw new ValidationError('payloads', 'sealSnapshot must answer a string or undefined');
      return sealed;
    },
    async reveal(streamId, version, text) {
      const json = await guard.revealSnapshot!({ streamId, version }, text);
      if (json !== undefined && typeof json !== 'string') throw new ValidationError('payloads', 'revealSnapshot must answer a string or undefined');
      return json;
    },
  };
}
