// Runs one async projection: holds its lease, reads past its checkpoint in batches,
// applies each batch in one transaction, and sleeps until the store says something
// changed. A failing batch is retried event by event with back-off; the event that
// still fails stops the projection in state `failed`, at that event.

import type { CheckpointMismatchError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { assertCheckpointBelongs } from '../store/checkpoint-epoch.js';
import type { EventStore } from '../store/event-store.js';
import type { Lease } from '../store/read-models.js';
import { createPauses, runWhileLeased } from '../store/leased-loop.js';
import { createWakeup } from '../store/wakeup.js';
import { observeBatch } from '../telemetry/index.js';
import { applyBatch, HandlerError } from './apply.js';
import { checkpoints, type Checkpoint } from './checkpoints.js';
import type { Projection } from './projection.js';
import { CHECKPOINTS, tablesOf } from './tables.js';

export interface RunnerOptions {
  batchSize: number;
  /** Back-off before each retry of a failing event; its length is the number of retries. */
  retryDelaysMs: readonly number[];
  pollIntervalMs: number;
  /** How often a process without the lease tries to take it over. */
  leaseRetryMs: number;
  logger: { warn(message: string): void };
  /** Builds the read model afresh (the projection's version changed). */
  rebuild(projection: Projection): Promise<void>;
}

export interface Runner {
  stop(): Promise<void>;
  /** Wakes the runner (a retry or skip was recorded). */
  nudge(): void;
  /** The last failure this runner recorded: the event's position, the text stored, and the handler's own error. */
  failure(): RunnerFailure | undefined;
  /** Why the runner stopped for good: its checkpoint does not belong to the store. */
  halted(): CheckpointMismatchError | undefined;
}

export interface RunnerFailure {
  position: number;
  message: string;
  error: unknown;
}

export function startRunner(store: EventStore, projection: Projection, options: RunnerOptions): Runner {
  const readModels = store.readModels;
  let stopped = false;
  let failure: RunnerFailure | undefined;
  let halted: CheckpointMismatchError | undefined;
  const wakeup = createWakeup();
  const unwatch = store.watch(wakeup.nudge);

  const { pause, cutAll } = createPauses();
  const consumer = { kind: 'projection', name: projection.name, store: store.kind };

  /**
   * Sets up the tables and creates the checkpoint in one transaction: an inline append
   * (in any process) that finds a running checkpoint must find its tables too.
   */
  async function load(): Promise<Checkpoint> {
    const existing = await readModels.transaction(tablesOf(projection, readModels, 0), async (db) => {
      await checkpoints.createTable(db);
      return checkpoints.get(db, projection.name);
    });
    return readModels.transaction(tablesOf(projection, readModels, existing?.generation ?? 0), async (db) => {
      await projection.setup(db);
      return checkpoints.ensure(db, projection.name, projection.version);
    });
  }

  function readBatch(after: number): Promise<RecordedEvent[]> {
    return store.readAllPage({ after, types: projection.eventTypes, batchSize: options.batchSize });
  }

  /** Applies events one at a time, retrying with back-off; marks the projection failed at the event that keeps failing. */
  async function applyOneByOne(checkpoint: Checkpoint, events: readonly RecordedEvent[], lease: Lease): Promise<void> {
    let from = checkpoint.position;
    for (const event of events) {
      for (let attempt = 0; ; attempt++) {
        try {
          if (!(await applyBatch(readModels, tablesOf(projection, readModels, checkpoint.generation), projection, [event], from, event.position))) return;
          from = event.position;
          break;
        } catch (error) {
          if (!(error instanceof HandlerError)) throw error;
          const backoff = options.retryDelaysMs[attempt];
          if (backoff !== undefined && !stopped && lease.held) {
            await pause(backoff);
            continue;
          }
          await readModels.transaction(tablesOf(projection, readModels, checkpoint.generation), (db) =>
            checkpoints.setState(db, projection.name, 'failed', error.message, event.position),
          );
          failure = { position: event.position, message: error.message, error: error.cause };
          return;
        }
      }
    }
  }

  async function follow(lease: Lease): Promise<void> {
    let checkpoint = await load();
    await assertCheckpointBelongs(store, { kind: 'projection', name: projection.name, table: CHECKPOINTS });
    if (checkpoint.version < projection.version && checkpoint.state !== 'rebuilding') {
      await options.rebuild(projection);
      checkpoint = await load();
    }
    while (!stopped && lease.held) {
      await wakeup.wait(options.pollIntervalMs);
      checkpoint = (await readModels.transaction(tablesOf(projection, readModels, checkpoint.generation), (db) => checkpoints.get(db, projection.name)))!;
      // A failed projection waits for an operator; a rebuild elsewhere swaps tables under us.
      if (checkpoint.state !== 'running') continue;
      const head = await store.headPosition();
      const events = await readBatch(checkpoint.position);
      const caughtUp = events.length < options.batchSize;
      const to = caughtUp ? Math.max(head, events.at(-1)?.position ?? 0) : events.at(-1)!.position;
      if (to <= checkpoint.position) continue;
      await observeBatch(consumer, events, head - to, async () => {
        try {
          await applyBatch(readModels, tablesOf(projection, readModels, checkpoint.generation), projection, events, checkpoint.position, to);
        } catch (error) {
          if (!(error instanceof HandlerError)) throw error;
          await applyOneByOne(checkpoint, events, lease);
        }
      });
      // More is waiting: the next wait returns after a turn of the event loop.
      if (!caughtUp) wakeup.nudge();
    }
  }

  // Every process may hold a projection's lease on SQLite: each batch's checkpoint check keeps them apart.
  const running = runWhileLeased({
    tryLease: () => readModels.tryLease(projection.name),
    isStopped: () => stopped,
    pause,
    leaseRetryMs: options.leaseRetryMs,
    onError: (error) => options.logger.warn(`projection ${projection.name} stopped by an error and will resume: ${error.message}`),
    onHalt: (error) => options.logger.warn((halted = error).message),
    work: follow,
  }).finally(unwatch);

  return {
    nudge: wakeup.nudge,
    failure: () => failure,
    halted: () => halted,
    async stop() {
      stopped = true;
      wakeup.nudge();
      cutAll();
      await running;
    },
  };
}
