// What an EventStore offers for pruning (src/retention builds on it): events exactly as
// stored, the removal of stream prefixes together with an audit event, and putting
// archived events back. The audit events are checked and encoded like any append.

import type { NewEvent } from '../core/events.js';
import { ValidationError } from '../core/errors.js';
import { assertCount, assertName } from '../core/validation.js';
import type { PayloadGuard } from './payload-guard.js';
import type { PrepareEvents } from './prepare-events.js';
import type { BeforeCopyCommit, CopiedEvent, CopiedPositions, EventStorage, PruneRange, PruneResult, RestoreResult, SpaceReport, StoredEvent } from './storage.js';

/** An audit event appended in the same transaction as a prune or a restore. */
export interface AuditEvents {
  streamId: string;
  events: readonly NewEvent[];
}

export interface StoreRetention {
  /**
   * The highest version of the stream that was pruned, 0 when none was: its events
   * start at the version after it (readStream and foldStream begin there).
   */
  prunedTo(streamId: string): Promise<number>;
  /**
   * Up to `maxCount` events of a stream from `fromVersion` on, exactly as the store keeps
   * them: the codec's output (text on the SQL stores), personal fields still sealed.
   */
  readStored(streamId: string, fromVersion: number, maxCount: number): Promise<StoredEvent<unknown>[]>;
  /**
   * Up to `maxCount` events with a position after `after` (and before `before`, when
   * given), in position order, exactly as the store keeps them: what a copy reads.
   */
  readStoredAll(after: number, maxCount: number, before?: number): Promise<StoredEvent<unknown>[]>;
  /**
   * In one transaction with `inTransaction`: stores events another store keeps, exactly
   * as they are there but for their positions, which this store hands out; an event
   * stored here already, in its place, is passed over (see EventStorage.writeCopied).
   */
  writeCopied(events: readonly CopiedEvent<unknown>[], inTransaction: BeforeCopyCommit): Promise<CopiedPositions>;
  /** In one transaction, removes versions 1..upToVersion of each range's stream and appends `audit`. */
  prune(ranges: readonly PruneRange[], audit: AuditEvents): Promise<PruneResult>;
  /** In one transaction, stores `events` back exactly as they were (see RetentionStorage.restore) and appends `audit`. */
  restore(events: readonly StoredEvent<unknown>[], audit: AuditEvents): Promise<RestoreResult>;
  /**
   * Gives the space of pruned events back, as far as the store can without a rewrite;
   * `full: true` also rewrites a SQLite file made before incremental vacuum (VACUUM:
   * the report's `advice` says what it costs).
   */
  reclaimSpace(options?: { full?: boolean }): Promise<SpaceReport>;
  /**
   * Whether events of this type go through the store's payload guard (personal fields
   * sealed): a state folded from them holds those fields in the clear.
   */
  seals(type: string): boolean;
}

export function createStoreRetention<Body>(
  storage: EventStorage<Body>,
  prepare: PrepareEvents<Body>,
  assertOpen: () => void,
  guard: PayloadGuard | undefined,
): StoreRetention {
  const audited = ({ streamId, events }: AuditEvents) => {
    assertName(streamId, 'audit.streamId');
    if (!Array.isArray(events) || events.length === 0) throw new ValidationError('audit.events', 'must be a non-empty array');
    return { streamId, events: prepare(events) };
  };

  return {
    seals: (type) => guard?.handles(type) === true,

    async prunedTo(streamId) {
      assertOpen();
      assertName(streamId, 'streamId');
      return storage.retention.prunedTo(streamId);
    },

    async readStored(streamId, fromVersion, maxCount) {
      assertOpen();
      assertName(streamId, 'streamId');
      assertCount(fromVersion, 'fromVersion', 1);
      assertCount(maxCount, 'maxCount', 1);
      return storage.readStream(streamId, { fromVersion, maxCount, direction: 'forward' }, (e) => e as StoredEvent<unknown>);
    },

    async readStoredAll(after, maxCount, before) {
      assertOpen();
      assertCount(after, 'after', 0);
      assertCount(maxCount, 'maxCount', 1);
      if (before !== undefined) assertCount(before, 'before', 1);
      return storage.readAllBatch(after, before === undefined ? {} : { before }, maxCount) as Promise<StoredEvent<unknown>[]>;
    },

    async writeCopied(events, inTransaction) {
      assertOpen();
      if (!Array.isArray(events)) throw new ValidationError('events', 'must be an array');
      if (typeof inTransaction !== 'function') throw new ValidationError('inTransaction', 'must be a function');
      if (!storage.writeCopied) throw new ValidationError('store', `the ${storage.kind} store cannot take copied events`);
      return storage.writeCopied(events as readonly CopiedEvent<Body>[], inTransaction);
    },

    async prune(ranges, audit) {
      assertOpen();
      if (!Array.isArray(ranges)) throw new ValidationError('ranges', 'must be an array');
      for (const range of ranges) {
        assertName(range?.streamId, 'ranges.streamId');
        assertCount(range.upToVersion, 'ranges.upToVersion', 1);
        if (range.version !== undefined) assertCount(range.version, 'ranges.version', 0);
      }
      return storage.retention.prune(ranges, audited(audit));
    },

    async reclaimSpace(options = {}) {
      assertOpen();
      const full = options.full ?? false;
      if (typeof full !== 'boolean') throw new ValidationError('full', 'must be a boolean');
      return storage.retention.reclaimSpace({ full });
    },

    async restore(events, audit) {
      assertOpen();
      if (!Array.isArray(events)) throw new ValidationError('events', 'must be an array');
      return storage.retention.restore(events as readonly StoredEvent<Body>[], audited(audit));
    },
  };
}
