// A repository loads class-based aggregates from their streams and saves what they
// recorded, with the version they were loaded at as the expected version: if anyone
// wrote to the stream in between, the save is refused with a ConcurrencyError and
// nothing is written. Snapshots, when asked for, work as in handleCommand.

import type { DeciderEvent } from '../commands/decider.js';
import { loadStateWith } from '../commands/load-state.js';
import { ValidationError } from '../core/errors.js';
import { readSnapshotOptions, type SnapshotOptions } from '../snapshots/options.js';
import { takeSnapshotIfDue } from '../snapshots/take.js';
import type { EventStore } from '../store/event-store.js';
import { Aggregate, markAggregateSaved, restoreAggregate } from './aggregate.js';

export interface RepositoryOptions<A> {
  /** A new aggregate with this id, as if its stream had no events. */
  create(id: string): A;
  /** The stream that holds the aggregate with this id. Default: the id itself. */
  streamIdOf?(id: string): string;
  /** Load from snapshots of this schema version, and take them when the policy says so. */
  snapshots?: SnapshotOptions;
}

export interface SaveResult {
  streamId: string;
  /** The stream's version after the save: the aggregate's version now. */
  nextExpectedVersion: number;
  /** How many pending events were appended (0: nothing to save, nothing written). */
  eventsAppended: number;
}

export interface Repository<A> {
  /** The aggregate folded from its stream (or its snapshot and the events after it). */
  load(id: string): Promise<A>;
  /** Appends the aggregate's pending events at the version it was loaded at; ConcurrencyError if the stream moved. */
  save(aggregate: A): Promise<SaveResult>;
}

type AnyAggregate = Aggregate<unknown, DeciderEvent>;

/**
 * @example
 * const posts = createRepository(store, { create: (id) => new PostAggregate(id), streamIdOf: (id) => `post-${id}` });
 * const post = await posts.load('hello');
 * post.publish();
 * await posts.save(post);
 */
export function createRepository<A extends AnyAggregate>(store: EventStore, options: RepositoryOptions<A>): Repository<A> {
  if (typeof options?.create !== 'function') throw new ValidationError('create', 'must be a function that makes a new aggregate');
  const streamIdOf = options.streamIdOf ?? ((id: string) => id);
  const snapshots = options.snapshots === undefined ? undefined : readSnapshotOptions(options.snapshots);
  // Where each loaded aggregate's state came from, for the snapshot policy.
  const origins = new WeakMap<AnyAggregate, { snapshotVersion: number; eventsApplied: number }>();

  return {
    async load(id) {
      const aggregate = options.create(id);
      if (!(aggregate instanceof Aggregate)) throw new ValidationError('create', 'must return an Aggregate');
      const initial = aggregate.state;
      const folder = { initialState: () => initial, evolve: (state: unknown, event: DeciderEvent) => aggregate.evolve(state, event) };
      const loaded = await loadStateWith(store, streamIdOf(id), folder, snapshots);
      aggregate[restoreAggregate](loaded.state, loaded.version);
      origins.set(aggregate, { snapshotVersion: loaded.snapshotVersion, eventsApplied: loaded.eventsApplied });
      return aggregate;
    },

    async save(aggregate) {
      const streamId = streamIdOf(aggregate.id);
      const events = aggregate.pendingEvents;
      if (events.length === 0) return { streamId, nextExpectedVersion: aggregate.version, eventsAppended: 0 };
      const { nextExpectedVersion } = await store.appendToStream(
        streamId,
        events.map(({ type, data }) => ({ type, data })),
        { expectedVersion: aggregate.version },
      );
      aggregate[markAggregateSaved](nextExpectedVersion);
      if (snapshots !== undefined) {
        const { snapshotVersion, eventsApplied } = origins.get(aggregate) ?? { snapshotVersion: 0, eventsApplied: 0 };
        const candidate = { streamId, state: aggregate.state, version: nextExpectedVersion, snapshotVersion, eventsApplied, eventsAppended: events.length };
        const taken = await takeSnapshotIfDue(store, candidate, snapshots);
        origins.set(aggregate, { snapshotVersion: taken ? nextExpectedVersion : snapshotVersion, eventsApplied: 0 });
      }
      return { streamId, nextExpectedVersion, eventsAppended: events.length };
    },
  };
}
