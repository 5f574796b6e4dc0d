// The EventStore every application uses. It validates and encodes once
// (prepare-events.ts), then hands opaque payloads to a storage (memory, SQLite,
// PostgreSQL), so every store accepts and refuses exactly the same input. Its reads
// (reads.ts) decode what the storage gives back (decode.ts); its subscriptions follow
// the log live (subscription.ts).

import type { EventCodec } from '../core/codec.js';
import { StoreClosedError, ValidationError, type ExpectedVersion } from '../core/errors.js';
import type { NewEvent, RecordedEvent } from '../core/events.js';
import { assertCount, assertExpectedVersion, assertName } from '../core/validation.js';
import { revealedUpcaster, schemaCodec } from '../evolution/codec.js';
import { assertEventSchemas, type EventSchemas } from '../evolution/schemas.js';
import { observeAppend } from '../telemetry/index.js';
import { eventDecoder } from './decode.js';
import { appendSealer, assertPayloadGuard, revealEvents, snapshotSealer, type PayloadGuard } from './payload-guard.js';
import { observedReads } from './observed-reads.js';
import { eventPreparer } from './prepare-events.js';
import type { ReadModelDb, ReadModelStorage, ReadModelTables, ScratchReadModels } from './read-models.js';
import { createReads, type EventReads } from './reads.js';
import { createStoreRetention, type StoreRetention } from './retention-access.js';
import { createStoreMaintenance, type StoreMaintenance } from './maintenance-access.js';
import { createSnapshotStore, type SnapshotStore } from './snapshot-store.js';
import type { AppendResult, EventStorage, StoredEvent, StoreStats } from './storage.js';
import { startSubscription, type SubscribeOptions, type Subscription } from './subscription.js';

export type { GuardedEvent, GuardedSnapshot, PayloadGuard, StoredGuardedEvent } from './payload-guard.js';
export type { AuditEvents, StoreRetention } from './retention-access.js';
export type { StoreMaintenance } from './maintenance-access.js';
export type { FoldedEvent, FoldOptions, FoldResult, ListStreamsOptions, ReadAllOptions, ReadStreamOptions } from './reads.js';

export interface AppendOptions {
  /** Default 'any'. */
  expectedVersion?: ExpectedVersion;
  /**
   * Runs inside this append's transaction, after its events are written and before it
   * commits, with those events (none for an idempotent retry) and SQL access to
   * read-model tables; if it throws, nothing is written. Work that must happen exactly
   * when the events do (a consumer's checkpoint, an index of due timers) goes here.
   */
  inTransaction?: InTransaction;
}

export type InTransaction = (appended: readonly RecordedEvent[], readModels: (tables: ReadModelTables) => ReadModelDb) => Promise<void>;

export interface EventStore extends EventReads {
  readonly kind: string;
  appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Catches up from `after`, then follows new events live; see subscription.ts. */
  subscribe(options: SubscribeOptions): Subscription;
  /** The newest snapshot of each stream's state; see snapshot-store.ts. */
  readonly snapshots: SnapshotStore;
  /** Pruning's access to the store: events as stored, prune and restore (retention-access.ts). */
  readonly retention: StoreRetention;
  /** The store's epoch, its maintenance lock and its backup (maintenance-access.ts). */
  readonly maintenance: StoreMaintenance;
  /** The store's epoch: minted when it was made, and anew by every restore or copy. */
  epoch(): Promise<string>;
  /** Tables for read models and checkpoints in the store's own database. */
  readonly readModels: ReadModelStorage;
  /** A new, empty read-model database of its own in memory, closed by the caller: a replay there leaves the live tables alone. */
  scratchReadModels(): ScratchReadModels;
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
  /**
   * A step for events' data that needs I/O, such as sealing personal fields with keys
   * kept elsewhere (src/privacy's `personalDataGuard`): it seals the data of the event
   * types it handles before an append is encoded, and reveals it after every read
   * (readStream, foldStream, readAll, readAllPage, subscriptions, append hooks and
   * inTransaction). Events of other types, and every append with none of them, skip it
   * at no cost. Default: none. See payload-guard.ts.
   */
  payloads?: PayloadGuard;
  /**
   * The schema versions and upcasters of event types (defineEventSchemas): an append
   * records the current version of a declared type in the metadata (`$schemaVersion`),
   * and every read hands out older events upcast to the current shape. Default: none,
   * and events read as they were stored. See docs/evolution.md.
   */
  schemas?: EventSchemas;
}

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

export function createEventStore<Body>(storage: EventStorage<Body>, options: EventStoreOptions<Body> = {}): EventStore {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  assertCount(maxEventBytes, 'maxEventBytes', 1);
  const guard = options.payloads;
  if (guard !== undefined) assertPayloadGuard(guard);
  const schemas = options.schemas;
  if (schemas !== undefined) assertEventSchemas(schemas);
  // Upcasting is part of decoding. Events the guard handles are upcast after it reveals
  // them: their sealed fields open only at the type and paths they were stored under.
  const upcast = revealedUpcaster(schemas);
  const ownCodec = options.codec ?? storage.defaultCodec;
  const codec = schemas === undefined ? ownCodec : schemaCodec(ownCodec, schemas, guard === undefined ? undefined : (type) => guard.handles(type));
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new StoreClosedError();
  }

  const prepare = eventPreparer(codec, maxEventBytes);
  const decode = eventDecoder(codec);
  const reads = createReads(storage, codec, decode, assertOpen, guard, schemas);
  const sealer = guard === undefined ? undefined : appendSealer(guard, maxEventBytes);
  /** Stored events as the application sees them: decoded, and revealed when a guard is set. */
  const recordedOf = async (stored: readonly StoredEvent<Body>[]): Promise<RecordedEvent[]> =>
    guard === undefined ? stored.map(decode) : revealEvents(guard, stored.map(decode), upcast);
  const subscriptions = new Set<Subscription>();
  const maintenance = createStoreMaintenance(storage as EventStorage<unknown>, assertOpen);
  const appendHooks = new Set<AppendHook>();

  async function append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    assertOpen();
    assertName(streamId, 'streamId');
    const expectedVersion = options.expectedVersion === undefined ? 'any' : options.expectedVersion;
    assertExpectedVersion(expectedVersion);
    const inTransaction = options.inTransaction;
    if (inTransaction !== undefined && typeof inTransaction !== 'function') throw new ValidationError('inTransaction', 'must be a function');
    let prepared;
    if (sealer !== undefined && sealer.wants(events)) {
      const sealed = await sealer.seal(events);
      assertOpen(); // it may have closed while the guard worked
      prepared = prepare(sealed);
    } else {
      // No event the guard handles: today's path, no await and no copy.
      prepared = prepare(events);
    }
    if (appendHooks.size === 0 && inTransaction === undefined) return storage.append(streamId, prepared, expectedVersion);
    if (!storage.appendWithHook) throw new ValidationError('inTransaction', `the ${storage.kind} store cannot run work inside its appends`);
    return storage.appendWithHook(streamId, prepared, expectedVersion, async (appended, _result, readModels, eventsAfter) => {
      const recorded = await recordedOf(appended);
      if (recorded.length > 0 && appendHooks.size > 0) {
        const decodedAfter = async (position: number) => recordedOf(await eventsAfter(position));
        for (const hook of appendHooks) await hook(recorded, readModels, decodedAfter);
      }
      await inTransaction?.(recorded, readModels);
    });
  }

  const store: EventStore = {
    kind: storage.kind,

    appendToStream: (streamId, events, options) => observeAppend(storage.kind, streamId, events, options, append),

    ...observedReads(storage.kind, reads),

    subscribe(options) {
      assertOpen();
      const subscription = startSubscription(reads.readAll, storage.watch?.bind(storage), options);
      subscriptions.add(subscription);
      subscription.done.then(
        () => subscriptions.delete(subscription),
        () => subscriptions.delete(subscription),
      );
      return subscription;
    },

    retention: createStoreRetention(storage, prepare, assertOpen, guard),
    maintenance,
    epoch: maintenance.epoch,

    snapshots: createSnapshotStore(storage, assertOpen, guard === undefined ? undefined : snapshotSealer(guard, storage, codec)),

    get readModels() {
      if (!storage.readModels) throw new ValidationError('store', `the ${storage.kind} store has no read-model tables`);
      return storage.readModels;
    },

    scratchReadModels() {
      assertOpen();
      if (!storage.scratchReadModels) throw new ValidationError('store', `the ${storage.kind} store has no scratch read-model database`);
      return storage.scratchReadModels();
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
