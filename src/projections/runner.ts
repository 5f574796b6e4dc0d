// Runs one async projection: holds its lease, reads past its checkpoint in batches,
// applies each batch in one transaction, and sleeps until the store says something
// changed. A failing batch is retried event by event with back-off; the event that
// still fails stops the projection in state `failed`, at that event.

import type { RecordedEvent } from '../core/events.js';
import type { EventStore } from '../store/event-store.js';
import type { Lease } from '../store/read-models.js';
import { createWakeup, delay } from '../store/wakeup.js';
import { applyBatch, HandlerError } from './apply.js';
import { checkpoints, type Checkpoint } from './checkpoints.js';
import type { Projection } from './projection.js';
import { tablesOf } from './tables.js';

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
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startRunner(store: EventStore, projection: Projection, options: RunnerOptions): Runner {
  const readModels = store.readModels;
  let stopped = false;
  const wakeup = createWakeup();
  const unwatch = store.watch(wakeup.nudge);

  /** Waits `ms`, or less if stopped; changes in the store do not cut it short. */
  let endPause: (() => void) | undefined;
  const pause = async (ms: number) => {
    await delay(ms, (cut) => (endPause = cut));
    endPause = undefined;
  };

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
          const delay = options.retryDelaysMs[attempt];
          if (delay !== undefined && !stopped && lease.held) {
            await sleep(delay);
            continue;
          }
          await readModels.transaction(tablesOf(projection, readModels, checkpoint.generation), (db) =>
            checkpoints.setState(db, projection.name, 'failed', error.message, event.position),
          );
          return;
        }
      }
    }
  }

  async function follow(lease: Lease): Promise<void> {
    let checkpoint = await load();
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
      try {
        await applyBatch(readModels, tablesOf(projection, readModels, checkpoint.generation), projection, events, checkpoint.position, to);
      } catch (error) {
        if (!(error instanceof HandlerError)) throw error;
        await applyOneByOne(checkpoint, events, lease);
      }
      // More is waiting: the next wait returns after a turn of the event loop.
      if (!caughtUp) wakeup.nudge();
    }
  }

  const running = (async () => {
    while (!stopped) {
      const lease = await readModels.tryLease(projection.name).catch(() => undefined);
      if (!lease) {
        await pause(options.leaseRetryMs);
        continue;
      }
      try {
        await follow(lease);
      } catch (error) {
        // A lost connection or a busy database: say so, take a breath, start over from the checkpoint.
        if (!stopped) {
          options.logger.warn(`projection ${projection.name} stopped by an error and will resume: ${(error as Error).message}`);
          await pause(1000);
        }
      } finally {
        await lease.release();
      }
    }
  })().finally(unwatch);

  return {
    nudge: wakeup.nudge,
    async stop() {
      stopped = true;
      wakeup.nudge();
      endPause?.();
      await running;
    },
  };
}
