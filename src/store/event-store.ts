// The EventStore every application uses. It validates and encodes once, then hands
// opaque payloads to a storage (memory, SQLite, PostgreSQL), so every store accepts
// and refuses exactly the same input.

import type { EventCodec } from '../core/codec.js';
import { DuplicateEventError, EventTooLargeError, StoreClosedError, ValidationError, type ExpectedVersion } from '../core/errors.js';
import type { NewEvent, RecordedEvent } from '../core/events.js';
import { assertJsonFaithfulFully, jsonBytes, jsonBytesBound } from '../core/json.js';
import { isUuid } from '../core/uuid.js';
import { assertCount, assertExpectedVersion, assertName, nameProblem, objectProblem } from '../core/validation.js';
import { startSubscription, type SubscribeOptions, type Subscription } from '../subscriptions/subscription.js';
import { toEventFilter } from './event-filter.js';
import { readAhead } from './read-ahead.js';
import { createSnapshotStore, type SnapshotStore } from './snapshot-store.js';
import type { ReadModelDb, ReadModelStorage, ReadModelTables } from './read-models.js';
import type { AppendResult, Direction, EventFilter, EventStorage, EventToStore, StoreStats, StoredEvent, StreamInfo } from './storage.js';

export interface AppendOptions {
  /** Default 'any'. */
  expectedVersion?: ExpectedVersion;
}

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

export interface EventStore {
  readonly kind: string;
  appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
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
  /** Catches up from `after`, then follows new events live; see subscriptions/subscription.ts. */
  subscribe(options: SubscribeOptions): Subscription;
  /** The newest snapshot of each stream's state; see snapshot-store.ts. */
  readonly snapshots: SnapshotStore;
  /** Tables for read models and checkpoints in the store's own database. */
  readonly readModels: ReadModelStorage;
  /**
   * Runs `hook` inside every append's transaction from now on, with the events just
   * appended; if it throws, the append is rolled back. Inline projections use it.
   * Returns a function that removes the hook.
   */
  addAppendHook(hook: AppendHook): () => void;
  /** The position of the newest event (0 for an empty store). */
  headPosition(): Promise<number>;
  /** Calls `onChange` soon after events may have been appended (here or elsewhere); returns an unwatch function. */
  watch(onChange: () => void): () => void;
  stats(): Promise<StoreStats>;
  /** Stops this store's subscriptions, then closes it. */
  close(): Promise<void>;
}

export type AppendHook = (
  events: readonly RecordedEvent[],
  readModels: (tables: ReadModelTables) => ReadModelDb,
  /** Every event after `position` up to and including `events`, inside the append's transaction. */
  eventsAfter: (position: number) => Promise<RecordedEvent[]>,
) => Promise<void>;

export interface EventStoreOptions<Body = string> {
  /** Default: the storage's own (JSON text for the SQL stores, JSON copies in memory). */
  codec?: EventCodec<Body>;
  /** Largest event (the UTF-8 bytes of its data and metadata as JSON). Default 1 MiB. */
  maxEventBytes?: number;
}

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
const DEFAULT_BATCH_SIZE = 500;
const FOLD_PAGE_SIZE = 1000;
const MAX_BATCH_SIZE = 10_000;

export function createEventStore<Body>(storage: EventStorage<Body>, options: EventStoreOptions<Body> = {}): EventStore {
  const codec = options.codec ?? storage.defaultCodec;
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  assertCount(maxEventBytes, 'maxEventBytes', 1);
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new StoreClosedError();
  }

  function prepare(events: readonly NewEvent[]): EventToStore<Body>[] {
    if (!Array.isArray(events)) throw new ValidationError('events', 'must be an array of events');
    if (events.length === 0) throw new ValidationError('events', 'must contain at least one event');
    let seen: Set<string> | undefined;
    const prepared: EventToStore<Body>[] = [];
    for (let i = 0; i < events.length; i++) {
      const event: unknown = events[i];
      refuse(objectProblem(event), i);
      const { type, data, metadata, eventId: givenId } = event as NewEvent;
      refuse(nameProblem(type), i, '.type');
      if (metadata !== undefined) refuse(objectProblem(metadata), i, '.metadata');
      let eventId: string | undefined;
      if (givenId !== undefined) {
        seen ??= new Set();
        eventId = givenEventId(givenId, `events[${i}].eventId`, seen);
      }
      // The size of an event is that of its JSON, whatever the codec makes of it, so that
      // every store and codec allows the same events. Most are clearly within the limit.
      const bound = sizeBound(data, i, 'data') + (metadata === undefined ? 0 : sizeBound(metadata, i, 'metadata'));
      if (bound > maxEventBytes) {
        const bytes = jsonBytes(data) + (metadata === undefined ? 0 : jsonBytes(metadata));
        if (bytes > maxEventBytes) throw new EventTooLargeError(`events[${i}]`, bytes, maxEventBytes);
      }
      let encoded;
      try {
        encoded = codec.encode({ type, data, metadata });
      } catch (error) {
        // A codec of the application's may refuse a payload, naming the path inside the
        // event; prefix it with the event's place.
        if (error instanceof ValidationError) throw new ValidationError(`events[${i}].${error.field}`, error.reason);
        throw error;
      }
      prepared.push({ eventId, type: encoded.type, data: encoded.data, metadata: encoded.metadata });
    }
    return prepared;
  }

  /** Refuses data or metadata JSON cannot carry; else a bound on its bytes (json.ts). */
  function sizeBound(value: unknown, i: number, part: string): number {
    const bound = jsonBytesBound(value);
    if (bound !== undefined) return bound;
    assertJsonFaithfulFully(value, `events[${i}].${part}`);
    return jsonBytes(value);
  }

  /** Throws for a problem with events[i] (or a part of it); the field name is built only then. */
  function refuse(problem: string | undefined, i: number, part = ''): void {
    if (problem !== undefined) throw new ValidationError(`events[${i}]${part}`, problem);
  }

  function givenEventId(value: unknown, field: string, seen: Set<string>): string {
    if (typeof value !== 'string' || !isUuid(value)) throw new ValidationError(field, 'must be a UUID');
    // PostgreSQL gives UUIDs back in lower case; every store does the same.
    const eventId = value.toLowerCase();
    if (seen.has(eventId)) throw new DuplicateEventError(eventId, 'appears twice in one append');
    seen.add(eventId);
    return eventId;
  }

  // A storage hands over each stored event as a fresh object (storage.ts), so it becomes
  // the recorded event in place: one object per event read instead of two, which a read
  // of thousands of events feels in its allocations.
  function decode(stored: StoredEvent<Body>): RecordedEvent {
    const { type, data, metadata } = codec.decode(stored);
    const event = stored as unknown as RecordedEvent;
    event.type = type;
    event.data = data;
    event.metadata = metadata;
    return event;
  }

  function readAllArguments(options: ReadAllOptions) {
    assertOpen();
    const after = options.after ?? 0;
    assertCount(after, 'after', 0);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    assertCount(batchSize, 'batchSize', 1, MAX_BATCH_SIZE);
    return { after, batchSize, filter: toEventFilter(options) };
  }

  const subscriptions = new Set<Subscription>();
  const appendHooks = new Set<AppendHook>();

  const store: EventStore = {
    kind: storage.kind,

    async appendToStream(streamId, events, options = {}) {
      assertOpen();
      assertName(streamId, 'streamId');
      const expectedVersion = options.expectedVersion === undefined ? 'any' : options.expectedVersion;
      assertExpectedVersion(expectedVersion);
      const prepared = prepare(events);
      if (appendHooks.size === 0) return storage.append(streamId, prepared, expectedVersion);
      return storage.appendWithHook!(streamId, prepared, expectedVersion, async (appended, _result, readModels, eventsAfter) => {
        if (appended.length === 0) return;
        const recorded = appended.map(decode);
        const decodedAfter = async (position: number) => (await eventsAfter(position)).map(decode);
        for (const hook of appendHooks) await hook(recorded, readModels, decodedAfter);
      });
    },

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
      return storage.readStream(streamId, { fromVersion, maxCount, direction }, decode);
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
        const page = await storage.readStreamPayloads(streamId, from, FOLD_PAGE_SIZE);
        for (const payload of page) {
          const { type, data, metadata } = codec.decode(payload);
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
      return {
        [Symbol.asyncIterator]: () =>
          readAhead(
            read(after),
            (batch) => (batch.length < batchSize ? undefined : read(batch[batch.length - 1]!.position)),
            decode,
          ),
      };
    },

    async readAllPage(options = {}) {
      const { after, batchSize, filter } = readAllArguments(options);
      return (await storage.readAllBatch(after, filter, batchSize)).map(decode);
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

    subscribe(options) {
      assertOpen();
      const subscription = startSubscription(store, storage.watch?.bind(storage), options);
      subscriptions.add(subscription);
      subscription.done.then(
        () => subscriptions.delete(subscription),
        () => subscriptions.delete(subscription),
      );
      return subscription;
    },

    snapshots: createSnapshotStore(storage, assertOpen),

    get readModels() {
      if (!storage.readModels) throw new ValidationError('store', `the ${storage.kind} store has no read-model tables`);
      return storage.readModels;
    },

    addAppendHook(hook) {
      assertOpen();
      if (!storage.appendWithHook) throw new ValidationError('store', `the ${storage.kind} store cannot run work inside its appends`);
      const entry: AppendHook = (...args) => hook(...args);
      appendHooks.add(entry);
      return () => void appendHooks.delete(entry);
    },

    async headPosition() {
      assertOpen();
      return storage.headPosition();
    },

    watch(onChange) {
      assertOpen();
      return storage.watch?.(onChange) ?? (() => {});
    },

    async stats() {
      assertOpen();
      return storage.stats();
    },

    async close() {
      if (closed) return;
      await Promise.allSettled([...subscriptions].map((s) => s.stop()));
      closed = true;
      await storage.close();
    },
  };
  return store;
}
