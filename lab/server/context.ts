// What every route of the Lab shares: the store and its privacy handle, the blog's
// projections (the authors' among them) and its review workflow running in this process,
// the outbox relay when NATS is configured, the read side's queries, and the rebuilds
// this process started.

import type { EventStore, Lease, Privacy, Projections, ReadModelStorage, Workflows } from '../../src/index.js';
import { startProjections, startWorkflows } from '../../src/index.js';
import { natsPublisher, outboxStatus, startOutboxRelay, type OutboxRelay, type Publisher } from '../../src/workflows/outbox/index.js';
import { authorQueries, authorsProjection, reviewCommandHandlers, reviewWorkflow } from '../../examples/blog/index.js';
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
  /** Crypto-shredding of the store's personal data (the authors' names and emails). */
  readonly privacy: Privacy;
  readonly queries: PostQueries;
  readonly authors: ReturnType<typeof authorQueries>;
  readonly projections: Projections;
  readonly projectionNames: readonly string[];
  /** Whether this process holds the projection's lease (on PostgreSQL exactly one process does). */
  active(name: string): boolean;
  /** Rebuilds this process is running, with their latest progress. */
  readonly rebuilds: Map<string, { shown: RebuildShown; done: Promise<void> }>;
  /** Waits until every projection has passed `position`; gives up quietly after the timeout. */
  readYourWrites(position: number): Promise<void>;
  /** The blog's review workflow, running here: its instances, and their retry. */
  readonly workflows: Workflows;
  readonly workflowNames: readonly string[];
  /** The outbox's messages not yet delivered, and whether this process relays them. */
  outbox(): Promise<{ undelivered: number; relay: 'running' | 'off' }>;
  /** Stops the workflows and the relay (each finishes the step or publish in flight), then the projections. */
  stop(): Promise<void>;
}

/** Where the outbox relay publishes: the blog's subjects go to one JetStream stream. */
export interface NatsSettings {
  url: string;
  stream: string;
}

/** The subjects of the blog's outbox messages. */
export const BLOG_SUBJECTS = ['blog.>'];

export interface ContextOptions {
  mode: ProjectionMode;
  readYourWritesMs: number;
  pollIntervalMs?: number;
  leaseRetryMs?: number;
  /** How often the workflows' timer service looks for due timers, at most. */
  timerPollMs?: number;
  workflowRetryDelaysMs?: readonly number[];
  /** Without it, no relay runs: messages wait in the log, shown undelivered. */
  nats?: NatsSettings;
  logger: { warn(message: string): void };
}

/** The blog's projections, and the authors' read model the Lab shows names from. */
const LAB_PROJECTIONS = [...blogProjections, authorsProjection];

export function createContext(store: EventStore, privacy: Privacy, options: ContextOptions): LabContext {
  const leases = trackLeases(store);
  const names = LAB_PROJECTIONS.map((p) => p.name);
  const running = startProjections(leases.store, LAB_PROJECTIONS, {
    ...(options.mode === 'inline' && { inline: names }),
    ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
    ...(options.leaseRetryMs !== undefined && { leaseRetryMs: options.leaseRetryMs }),
    logger: options.logger,
  });
  const polling = {
    ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
    ...(options.leaseRetryMs !== undefined && { leaseRetryMs: options.leaseRetryMs }),
  };
  // A timer that came due while the Lab was down fires as soon as it starts again.
  const workflows = startWorkflows(store, [reviewWorkflow], {
    commands: reviewCommandHandlers(store),
    ...polling,
    ...(options.timerPollMs !== undefined && { timerPollMs: options.timerPollMs }),
    ...(options.workflowRetryDelaysMs !== undefined && { retryDelaysMs: options.workflowRetryDelaysMs }),
    logger: options.logger,
  });
  let publisher: Publisher | undefined;
  let relay: OutboxRelay | undefined;
  if (options.nats) {
    publisher = natsPublisher({ url: options.nats.url, stream: options.nats.stream, subjects: BLOG_SUBJECTS });
    relay = startOutboxRelay(store, { publisher, ...polling, logger: options.logger });
  }
  return {
    store,
    privacy,
    queries: postQueries(store.readModels),
    authors: authorQueries(store.readModels),
    projections: running,
    projectionNames: names,
    active: leases.active,
    rebuilds: new Map(),
    async readYourWrites(position) {
      // A projection that is rebuilding or failed cannot catch up in time: answer anyway.
      await Promise.all(names.map((name) => running.waitFor(name, position, options.readYourWritesMs).catch(() => {})));
    },
    workflows,
    workflowNames: [reviewWorkflow.name],
    async outbox() {
      const { undelivered } = relay ? await relay.status() : await outboxStatus(store);
      return { undelivered, relay: relay ? 'running' : 'off' };
    },
    async stop() {
      await Promise.all([workflows.stop(), relay?.stop()]);
      await publisher?.close();
      await running.stop();
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
