// The interface a store implements. It sees opaque payloads only: validation and
// encoding happen once, above it, in the EventStore that wraps every storage.

import type { EncodedPayload, EventCodec } from '../core/codec.js';
import type { ExpectedVersion } from '../core/errors.js';
import type { ReadModelDb, ReadModelStorage, ReadModelTables, ScratchReadModels } from './read-models.js';

/** One event ready to store: validated and encoded. */
export interface EventToStore<Body = string> extends EncodedPayload<Body> {
  /**
   * The id the caller chose, in lower case, or undefined: then the store names the
   * event itself, with an id no stored event has (a retry always brings its own ids).
   */
  eventId: string | undefined;
}

/**
 * One event as stored. Every read hands over objects of its own, which the caller may
 * change: the EventStore turns each into the event it returns, in place.
 */
export interface StoredEvent<Body = string> extends EncodedPayload<Body> {
  eventId: string;
  streamId: string;
  version: number;
  position: number;
  recordedAt: Date;
}

/** What folding a stream needs of an event: its payload and place, no id, no time. */
export interface StreamPayload<Body = string> extends EncodedPayload<Body> {
  version: number;
  position: number;
}

export interface AppendResult {
  /** The stream's version after the append: pass it as the next expectedVersion. */
  nextExpectedVersion: number;
  /** The position of the last event appended. */
  lastPosition: number;
}

export type Direction = 'forward' | 'backward';

export interface StreamRange {
  fromVersion: number;
  maxCount: number;
  direction: Direction;
}

export interface EventFilter {
  /** Only events of these types. */
  types?: readonly string[];
  /** A literal prefix of the stream id: `%` and `_` are ordinary characters. */
  streamPrefix?: string;
  /** Only positions below this one (exclusive). Default: no bound. */
  before?: number;
  /** Only events recorded at or after this time. */
  recordedFrom?: Date;
  /** Only events recorded before this time (exclusive). */
  recordedTo?: Date;
  /**
   * Only events whose metadata is a JSON object with this string as its `correlationId`
   * (metadata written as JSON, as the default codec does; see event-filter.ts).
   */
  correlationId?: string;
}

export interface StreamInfo {
  streamId: string;
  version: number;
}

export interface StoreStats {
  events: number;
  streams: number;
  /** Bytes the store occupies on disk (or, for memory, the bytes of its payloads). */
  bytes: number;
}

/** Where an eventId of an append is already stored. */
export interface StoredEventId {
  eventId: string;
  streamId: string;
  version: number;
  position: number;
}

/**
 * Runs inside an append's transaction, before it commits; throwing rolls the append
 * back. It receives the events just appended (none for an idempotent retry), the
 * result, and SQL access to read-model tables in the same transaction.
 */
export type BeforeCommit<Body = string> = (
  appended: readonly StoredEvent<Body>[],
  result: AppendResult,
  readModels: (tables: ReadModelTables) => ReadModelDb,
  /** Every event after `position` up to the ones just appended, as this transaction sees them. */
  eventsAfter: (position: number) => Promise<StoredEvent<Body>[]>,
) => Promise<void>;

export interface EventStorage<Body = string> {
  /** The short name of the store: memory, sqlite, postgres. */
  readonly kind: string;
  /** The codec an EventStore uses on this storage when the application names none. */
  readonly defaultCodec: EventCodec<Body>;
  /**
   * Appends atomically, or writes nothing. Implementations call `decideAppend`
   * (append-rules.ts) inside their transaction so every store rules alike. A store that
   * needs no I/O (memory) may answer at once instead of with a promise.
   */
  append(streamId: string, events: readonly EventToStore<Body>[], expectedVersion: ExpectedVersion): AppendResult | Promise<AppendResult>;
  /**
   * The same append, holding its transaction open while `beforeCommit` runs (SQL
   * stores only). Work that must commit or fail with the events goes there.
   */
  appendWithHook?(
    streamId: string,
    events: readonly EventToStore<Body>[],
    expectedVersion: ExpectedVersion,
    beforeCommit: BeforeCommit<Body>,
  ): Promise<AppendResult>;
  /**
   * A stream's events in `range`, each made into what `as` makes of it as soon as it is
   * read: a store that reads page by page then drops each page's stored text before the
   * next page, instead of holding the whole stream's text until the read ends.
   */
  readStream<T>(streamId: string, range: StreamRange, as: (event: StoredEvent<Body>) => T): Promise<T[]>;
  /**
   * Up to `limit` events of a stream from `fromVersion` on, in version order, with only
   * what a fold needs: fewer columns to read and decode than `readStream`.
   */
  readStreamPayloads(streamId: string, fromVersion: number, limit: number): Promise<StreamPayload<Body>[]>;
  /** Up to `limit` events with position > `after` matching `filter`, in position order. */
  readAllBatch(after: number, filter: EventFilter, limit: number): Promise<StoredEvent<Body>[]>;
  /**
   * Calls `onChange` (soon, not necessarily at once) after events may have been
   * appended, by this process or another. Returns a function that stops watching.
   * Readers still poll now and then, so a missed call only delays them.
   */
  watch?(onChange: () => void): () => void;
  /** Tables for read models and checkpoints, in the same database (projections need it). */
  readonly readModels?: ReadModelStorage;
  /**
   * A new, empty read-model database of its own, in memory, where a projection is replayed
   * without touching the live tables (projectionAsOf, which reads SQLite's catalogue: every
   * Eventline store gives an in-memory SQLite database).
   */
  scratchReadModels?(): ScratchReadModels;
  /** Up to `limit` streams whose id sorts after `after`, in id order. */
  listStreams(after: string | undefined, limit: number): Promise<StreamInfo[]>;
  /** The position of the newest event (0 for an empty store). */
  headPosition(): Promise<number>;
  stats(): Promise<StoreStats>;
  /**
   * Stores events another store holds, as that store keeps them (ids, versions, times,
   * data and metadata), in the order given, at positions this store hands out: in one
   * transaction, with `beforeCommit` in it. An event whose id is stored already, at the
   * same stream and version, is passed over (a copy run again after a crash); one whose
   * id or place another event has is a CopyRefusedError, and nothing is written. A store
   * copies into (src/copy builds on it); optional for other storages.
   */
  writeCopied?(events: readonly CopiedEvent<Body>[], beforeCommit: BeforeCopyCommit): Promise<CopiedPositions>;
  /** The newest snapshot of each stream's state, kept in the same database as the events. */
  readonly snapshots: SnapshotStorage;
  /** Removing stream prefixes, and putting them back (src/retention builds on it). */
  readonly retention: RetentionStorage<Body>;
  /** The store's epoch, its maintenance lock and its backup. */
  readonly maintenance: MaintenanceStorage;
  close(): Promise<void>;
}

/**
 * What maintenance needs of a store. The epoch is an id (a UUIDv7) minted when the store
 * is made, and minted anew when it is restored from a backup or copied: a consumer's
 * checkpoint saved under another epoch counted another log. The maintenance lock keeps
 * prune, archive restore and backup apart, across processes.
 */
export interface MaintenanceStorage {
  epoch(): Promise<string>;
  /** Mints a new epoch and returns it (after a restore or a copy has written the store). */
  renewEpoch(): Promise<string>;
  /**
   * Takes the store's maintenance lock for `task` (prune, restore, backup), or throws
   * MaintenanceBusyError naming its holder. A lock whose holder died is free again.
   */
  lock(task: string): Promise<MaintenanceLock>;
  /**
   * Writes a consistent copy of the store to `file` while writers go on (SQLite's online
   * backup; PostgreSQL's pg_dump of the store's schema, in the snapshot the head and epoch
   * are read in). Never the key storage, which lives apart. Memory has no backup.
   */
  backup?(file: string): Promise<BackupFacts>;
}

export interface MaintenanceLock {
  release(): Promise<void>;
}

/** What a backup holds, read in the same snapshot as it was written. */
export interface BackupFacts {
  head: number;
  epoch: string;
  schemaVersion: number;
  /** PostgreSQL: the schema the dump holds, which it restores into. */
  schema?: string;
}
/** An event as another store keeps it, to be copied: all but its position, which the target hands out. */
export type CopiedEvent<Body = string> = Omit<StoredEvent<Body>, 'position'>;

export interface CopiedPositions {
  /** Each event's position in this store, in the order given (where it was already, for one passed over). */
  positions: number[];
  /** How many were written; the others were stored already. */
  written: number;
}

/**
 * Runs inside writeCopied's transaction, before it commits, with each event's position
 * in this store; throwing rolls the whole batch back. A copy records its map there.
 */
export type BeforeCopyCommit = (copied: CopiedPositions, readModels: (tables: ReadModelTables) => ReadModelDb) => Promise<void>;

/** A stream's prefix to remove: its versions 1..upToVersion. */
export interface PruneRange {
  streamId: string;
  upToVersion: number;
  /**
   * The version the stream must be at, else ConcurrencyError and nothing is written: a
   * closed stream removed whole must not lose an event appended since it was planned.
   */
  version?: number;
}

/** An append that commits in the same transaction as a prune or a restore: its audit event. */
export interface AuditAppend<Body = string> {
  streamId: string;
  events: readonly EventToStore<Body>[];
}

export interface PruneResult {
  /** How many events the prune removed (versions pruned before are not counted again). */
  removed: number;
  /** The audit append's result. */
  audit: AppendResult;
}

export interface RestoreResult {
  /** How many events were put back. */
  restored: number;
  audit: AppendResult;
}

/**
 * Pruning, as every store does it. A pruned event leaves a small record behind (its
 * stream, version, position and the id it was given), so that:
 * - a stream's versions keep counting, even when all its events are gone;
 * - positions are never handed out again;
 * - a pruned event's id can be appended again only as the idempotent retry it was;
 * - a reader can tell where a stream now starts.
 */
export interface RetentionStorage<Body = string> {
  /**
   * The highest version of `streamId` that was pruned (0 when none was): the stream
   * starts at the version after it.
   */
  prunedTo(streamId: string): Promise<number>;
  /**
   * In one transaction: removes versions 1..upToVersion of each range's stream and
   * appends `audit` (expected version 'any'). A range past the stream's version is
   * refused with a ValidationError, and nothing is written.
   */
  prune(ranges: readonly PruneRange[], audit: AuditAppend<Body>): Promise<PruneResult>;
  /**
   * In one transaction: stores `events` exactly as they were (position, version, id,
   * time) and appends `audit`. Each goes back where it was pruned from, or, in another
   * store, where nothing was ever stored; else RestoreConflictError, and nothing is written.
   */
  restore(events: readonly StoredEvent<Body>[], audit: AuditAppend<Body>): Promise<RestoreResult>;
  /**
   * Gives the space of removed events back (see docs/retention.md): SQLite's incremental
   * vacuum and a WAL checkpoint, PostgreSQL's VACUUM (ANALYZE); memory has nothing to do.
   * `full` also rewrites a SQLite file made before incremental vacuum (VACUUM).
   */
  reclaimSpace(options: { full: boolean }): Promise<SpaceReport>;
}

export interface SpaceReport {
  /** The store's bytes (as stats counts them) before and after. */
  bytesBefore: number;
  bytesAfter: number;
  /** What was run: 'none', 'incremental', 'vacuum' (SQLite), 'vacuum-analyze', 'vacuum-full' (PostgreSQL). */
  done: 'none' | 'incremental' | 'vacuum' | 'vacuum-analyze' | 'vacuum-full';
  /** What more could be done, and what it costs; undefined when nothing. */
  advice?: string;
}

/** A snapshot ready to store: validated, its state already encoded as text. */
export interface SnapshotToStore {
  streamId: string;
  /** The stream version the state reflects. */
  version: number;
  /** The version of the state's shape: a reader expecting another one ignores the snapshot. */
  schemaVersion: number;
  state: string;
}

export interface StoredSnapshot extends SnapshotToStore {
  takenAt: Date;
}

/** A snapshot as listed: all but the state, and the state's size. */
export interface SnapshotInfo {
  streamId: string;
  version: number;
  schemaVersion: number;
  /** Bytes of the encoded state. */
  bytes: number;
  takenAt: Date;
}

/** One snapshot per stream, opaque text in and out, like events. */
export interface SnapshotStorage {
  load(streamId: string): Promise<StoredSnapshot | undefined>;
  /**
   * Replaces the stream's snapshot, unless the stored one has the same schema version
   * and a newer stream version. Resolves to whether it was stored.
   */
  save(snapshot: SnapshotToStore): Promise<boolean>;
  /** Resolves to whether there was a snapshot to delete. */
  delete(streamId: string): Promise<boolean>;
  /** Up to `limit` snapshots whose stream id sorts after `after` and starts with `streamPrefix`, in id order. */
  list(after: string | undefined, limit: number, streamPrefix?: string): Promise<SnapshotInfo[]>;
}
