// What every route of the Lab shares: the store, the blog's projections running in
// this process, the read side's queries, and the rebuilds this process started.

import type { EventStore, Lease, Projections, ReadModelStorage } from '../../src/index.js';
import { startProjections } from '../../src/index.js';
import { postQueries, projections as blogProjections, type PostQueries } from '../../examples/blog/read-side/index.js';

export type ProjectionMode = 'async' | 'inline';

export interface RebuildShown {
  /** The log position the rebuild has reached, and the head it is heading for. */
  processed: number;
  total: number;
  eventsPerSecond: number;
  etaSeconds: number | null;
}

export interface LabContext {
  readonly store: EventStore;
  readonly queries: PostQueries;
  readonly projections: Projections;
  readonly projectionNames: readonly string[];
  /** Whether this process holds the projection's lease (on PostgreSQL exactly one process does). */
  active(name: string): boolean;
  /** Rebuilds this process is running, with their latest progress. */
  readonly rebuilds: Map<string, { shown: RebuildShown; done: Promise<void> }>;
  /** Waits until every projection has passed `position`; gives up quietly after the timeout. */
  readYourWrites(position: number): Promise<void>;
}

export interface ContextOptions {
  mode: ProjectionMode;
  readYourWritesMs: number;
  pollIntervalMs?: number;
  leaseRetryMs?: number;
  logger: { warn(message: string): void };
}

export function createContext(store: EventStore, options: ContextOptions): LabContext {
  const leases = trackLeases(store);
  const names = blogProjections.map((p) => p.name);
  const running = startProjections(leases.store, blogProjections, {
    ...(options.mode === 'inline' && { inline: names }),
    ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
    ...(options.leaseRetryMs !== undefined && { leaseRetryMs: options.leaseRetryMs }),
    logger: options.logger,
  });
  return {
    store,
    queries: postQueries(store.readModels),
    projections: running,
    projectionNames: names,
    active: leases.active,
    rebuilds: new Map(),
    async readYourWrites(position) {
      // A projection that is rebuilding or failed cannot catch up in time: answer anyway.
      await Promise.all(names.map((name) => running.waitFor(name, position, options.readYourWritesMs).catch(() => {})));
    },
  };
}

/**
 * The store as the projections see it, noting which leases this process holds: the
 * runner takes a lease per projection, and only the lease says whether this process
 * is the one applying events.
 */
function trackLeases(store: EventStore): { store: EventStore; active(name: string): boolean } {
  const held = new Map<string, Lease>();
  const readModels = store.readModels;
  const tracked: ReadModelStorage = {
    dialect: readModels.dialect,
    table: (name) => readModels.table(name),
    temporaryTable: (name) => readModels.temporaryTable(name),
    transaction: (tables, work) => readModels.transaction(tables, work),
    async tryLease(name) {
      const lease = await readModels.tryLease(name);
      if (lease === undefined) return undefined;
      held.set(name, lease);
      return {
        get held() {
          return lease.held;
        },
        async release() {
          if (held.get(name) === lease) held.delete(name);
          await lease.release();
        },
      };
    },
  };
  return { store: { ...store, readModels: tracked }, active: (name) => held.get(name)?.held === true };
}
