// The interface a store implements. It sees opaque payloads only: validation and
// encoding happen once, above it, in the EventStore that wraps every storage.

import type { EncodedPayload } from '../core/codec.js';
import type { ExpectedVersion } from '../core/errors.js';

/** One event ready to store: validated, encoded, with its id. */
export interface EventToStore extends EncodedPayload {
  eventId: string;
}

/** One event as stored. */
export interface StoredEvent extends EventToStore {
  streamId: string;
  version: number;
  position: number;
  recordedAt: Date;
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
  types?: readonly string[];
  /** A literal prefix of the stream id. */
  streamPrefix?: string;
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

/** Runs inside an append's transaction, before it commits; throwing rolls the append back. */
export type BeforeCommit = (result: AppendResult) => Promise<void>;

export interface EventStorage {
  /** The short name of the store: memory, sqlite, postgres. */
  readonly kind: string;
  /**
   * Appends atomically, or writes nothing. Implementations call `decideAppend`
   * (append-rules.ts) inside their transaction so every store rules alike.
   */
  append(streamId: string, events: readonly EventToStore[], expectedVersion: ExpectedVersion): Promise<AppendResult>;
  /**
   * The same append, holding its transaction open while `beforeCommit` runs (SQL
   * stores only). Work that must commit or fail with the events goes there.
   */
  appendWithHook?(
    streamId: string,
    events: readonly EventToStore[],
    expectedVersion: ExpectedVersion,
    beforeCommit: BeforeCommit,
  ): Promise<AppendResult>;
  readStream(streamId: string, range: StreamRange): Promise<StoredEvent[]>;
  /** Up to `limit` events with position > `after` matching `filter`, in position order. */
  readAllBatch(after: number, filter: EventFilter, limit: number): Promise<StoredEvent[]>;
  /** Up to `limit` streams whose id sorts after `after`, in id order. */
  listStreams(after: string | undefined, limit: number): Promise<StreamInfo[]>;
  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}
