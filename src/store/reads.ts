// An EventStore's reads: a stream, a fold of a stream, the whole log (as an iterator or
// a page at a time) and the list of streams. Each read checks its options the same way
// on every store, then asks the storage, decoding events as they arrive.

import type { EventCodec, EventPayload } from '../core/codec.js';
import { ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { assertCount, assertName } from '../core/validation.js';
import { revealedUpcaster } from '../evolution/codec.js';
import type { EventSchemas } from '../evolution/schemas.js';
import type { Decode } from './decode.js';
import { toEventFilter } from './event-filter.js';
import { revealEvents, type PayloadGuard } from './payload-guard.js';
import { pagesAhead, readAhead } from './read-ahead.js';
import type { Direction, EventFilter, EventStorage, StoredEvent, StreamInfo, StreamPayload } from './storage.js';

export interface ReadStreamOptions {
  /** First version to read. Default: 1 forward, the last version backward. */
  fromVersion?: number;
  maxCount?: number;
  direction?: Direction;
}

/** Where to start, how much to fetch at a time, and the filters (EventFilter). */
export interface ReadAllOptions extends EventFilter {
  /** Read events with a position greater than this. Default 0: from the start. */
  after?: number;
  /** Events fetched per round trip. Default 500. */
  batchSize?: number;
}

/** An event as a fold sees it: its payload and place in the stream, without id or time. */
export interface FoldedEvent {
  streamId: string;
  version: number;
  position: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown> | undefined;
}

export interface FoldOptions {
  /** First version to fold. Default 1. */
  fromVersion?: number;
}

export interface FoldResult<State> {
  state: State;
  /** The version of the first event folded: 0 when there was none. */
  firstVersion: number;
  /** The version of the last event folded: 0 when there was none. */
  version: number;
  /** The position of the last event folded: 0 when there was none. */
  lastPosition: number;
  /** How many events were folded. */
  events: number;
}

export interface ListStreamsOptions {
  /** List the streams whose id sorts after this one (in code point order): the cursor of a paged listing. */
  after?: string;
  batchSize?: number;
}

export interface EventReads {
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Folds a stream's events into `initial`, a page at a time: memory stays flat however
   * long the stream, and only what a fold needs is read (no event ids, no times).
   */
  foldStream<State>(
    streamId: string,
    initial: State,
    evolve: (state: State, event: FoldedEvent) => State,
    options?: FoldOptions,
  ): Promise<FoldResult<State>>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * One page of `readAll`: up to `batchSize` events after `after`, in position order.
   * An array, not an iterator: the way to read fast, a batch at a time (projections do).
   */
  readAllPage(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  listStreams(options?: ListStreamsOptions): AsyncIterable<StreamInfo>;
}

/** A payload of a fold page decoded (and revealed), with its place. */
type DecodedPayload = EventPayload & { version: number; position: number };

const DEFAULT_BATCH_SIZE = 500;
const FOLD_PAGE_SIZE = 1000;
const MAX_BATCH_SIZE = 10_000;

/**
 * With a payload guard (payload-guard.ts), every read reveals the data of the events it
 * handles, a page at a time. `codec` upcasts as it decodes (evolution/codec.ts), but for
 * the events the guard handles, which are upcast once revealed; and a filter on a type
 * with older names (`schemas`) reads the events stored under those too.
 */
export function createReads<Body>(
  storage: EventStorage<Body>,
  codec: EventCodec<Body>,
  decode: Decode<Body>,
  assertOpen: () => void,
  guard?: PayloadGuard,
  schemas?: EventSchemas,
): EventReads {
  const upcast = revealedUpcaster(schemas);

  function readAllArguments(options: ReadAllOptions) {
    assertOpen();
    const after = options.after ?? 0;
    assertCount(after, 'after', 0);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    assertCount(batchSize, 'batchSize', 1, MAX_BATCH_SIZE);
    const filter = toEventFilter(options);
    if (schemas !== undefined && filter.types !== undefined) filter.types = [...new Set(filter.types.flatMap((type) => schemas.storedTypesOf(type)))];
    return { after, batchSize, filter };
  }

  /**
   * A page of a fold when a guard is set. A sealed field opens only with its event's id,
   * which payload reads do not carry (every storage would have to change for it); so a
   * page with a type the guard handles is read again as full events and revealed. Pages
   * without one fold from payloads as usual, and a guard that handles nothing in the
   * stream costs one scan of each page.
   */
  async function guardedFoldPage(guard: PayloadGuard, streamId: string, from: number): Promise<DecodedPayload[]> {
    const payloads = await storage.readStreamPayloads(streamId, from, FOLD_PAGE_SIZE);
    const decoded = payloads.map((payload) => ({ ...codec.decode(payload), version: payload.version, position: payload.position }));
    if (!decoded.some((event) => guard.handles(event.type))) return decoded;
    const events = await storage.readStream(streamId, { fromVersion: from, maxCount: FOLD_PAGE_SIZE, direction: 'forward' }, decode);
    return revealEvents(guard, events, upcast);
  }

  return {
    async readStream(streamId, options = {}) {
      assertOpen();
      assertName(streamId, 'streamId');
      const direction = options.direction ?? 'forward';
      if (direction !== 'forward' && direction !== 'backward') {
        throw new ValidationError('direction', `must be 'forward' or 'backward'`);
      }
      const fromVersion = options.fromVersion ?? (direction === 'forward' ? 1 : Number.MAX_SAFE_INTEGER);
      assertCount(fromVersion, 'fromVersion', 0);
      const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
      assertCount(maxCount, 'maxCount', 1);
      const events = storage.readStream(streamId, { fromVersion, maxCount, direction }, decode);
      return guard === undefined ? events : revealEvents(guard, await events, upcast);
    },

    async foldStream(streamId, initial, evolve, options = {}) {
      assertOpen();
      assertName(streamId, 'streamId');
      const fromVersion = options.fromVersion ?? 1;
      assertCount(fromVersion, 'fromVersion', 1);
      let state = initial;
      let firstVersion = 0;
      let version = 0;
      let lastPosition = 0;
      let events = 0;
      for (let from = fromVersion; ; ) {
        const page = guard === undefined ? await storage.readStreamPayloads(streamId, from, FOLD_PAGE_SIZE) : await guardedFoldPage(guard, streamId, from);
        for (const payload of page) {
          const { type, data, metadata } = guard === undefined ? codec.decode(payload as StreamPayload<Body>) : (payload as DecodedPayload);
          state = evolve(state, { streamId, version: payload.version, position: payload.position, type, data, metadata });
        }
        const last = page[page.length - 1];
        if (last === undefined) break;
        if (events === 0) firstVersion = page[0]!.version;
        events += page.length;
        version = last.version;
        lastPosition = last.position;
        if (page.length < FOLD_PAGE_SIZE) break;
        from = last.version + 1;
      }
      return { state, firstVersion, version, lastPosition, events };
    },

    readAll(options = {}) {
      const { after, batchSize, filter } = readAllArguments(options);
      const read = (from: number) => {
        assertOpen();
        return storage.readAllBatch(from, filter, batchSize);
      };
      const next = (batch: StoredEvent<Body>[]) => (batch.length < batchSize ? undefined : read(batch[batch.length - 1]!.position));
      if (guard !== undefined) {
        // Each page is decoded and revealed whole, in one call of the guard, while the next is read.
        return {
          async *[Symbol.asyncIterator]() {
            for await (const batch of pagesAhead(read(after), next)) yield* await revealEvents(guard, batch.map(decode), upcast);
          },
        };
      }
      return { [Symbol.asyncIterator]: () => readAhead(read(after), next, decode) };
    },

    async readAllPage(options = {}) {
      const { after, batchSize, filter } = readAllArguments(options);
      const page = (await storage.readAllBatch(after, filter, batchSize)).map(decode);
      return guard === undefined ? page : revealEvents(guard, page, upcast);
    },

    listStreams(options = {}) {
      assertOpen();
      const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
      assertCount(batchSize, 'batchSize', 1, MAX_BATCH_SIZE);
      if (options.after !== undefined) assertName(options.after, 'after');
      return {
        async *[Symbol.asyncIterator]() {
          let after = options.after;
          while (true) {
            assertOpen();
            const batch = await storage.listStreams(after, batchSize);
            yield* batch;
            if (batch.length < batchSize) return;
            after = batch[batch.length - 1]!.streamId;
          }
        },
      };
    },
  };
}
