// startProjections: runs a set of projections for one store, in this process. Each
// runs async from its checkpoint; those marked inline also run inside every append
// this process makes. It answers status, waits for read-your-writes, and carries out
// the operator's rebuild, retry and skip.

import { setTimeout as sleep } from 'node:timers/promises';
import { ProjectionFailedError, ProjectionTimeoutError, ValidationError } from '../core/errors.js';
import { assertCount } from '../core/validation.js';
import type { EventStore } from '../store/event-store.js';
import type { ReadModelDb } from '../store/read-models.js';
import { checkpoints, type Checkpoint, type ProjectionState } from './checkpoints.js';
import { inlineHook } from './inline.js';
import type { Projection } from './projection.js';
import { rebuildProjection, type RebuildOptions, type RebuildProgress } from './rebuild.js';
import { startRunner, type Runner } from './runner.js';
import { CHECKPOINTS, tablesOf } from './tables.js';

export interface ProjectionsOptions {
  /** Names of the projections that also run inside this process's appends. */
  inline?: readonly string[];
  /** Events per transaction when catching up. Default 500. */
  batchSize?: number;
  /** Back-off before each retry of a failing event. Default [100, 500, 2000]. */
  retryDelaysMs?: readonly number[];
  /** Fallback polling when no change notice arrives. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How often a process without a projection's lease tries to take it over. Default 2000 ms. */
  leaseRetryMs?: number;
  logger?: { warn(message: string): void };
}

export interface ProjectionStatus {
  name: string;
  version: number;
  state: ProjectionState;
  position: number;
  head: number;
  lag: number;
  error: string | null;
  errorPosition: number | null;
  updatedAt: Date;
}

export interface Projections {
  status(): Promise<ProjectionStatus[]>;
  /**
   * Resolves once `name`, at this version, has applied every event up to `position`
   * (read-your-writes). Rejects with ProjectionFailedError as soon as the projection is
   * found failed, with CheckpointMismatchError when its runner here stopped on a
   * checkpoint that does not belong to the store, and with ProjectionTimeoutError after `timeoutMs`.
   */
  waitFor(name: string, position: number, timeoutMs?: number): Promise<void>;
  rebuild(name: string, options?: RebuildOptions): Promise<RebuildProgress>;
  /** Sets a failed projection running again, from the event that failed. */
  retry(name: string): Promise<void>;
  /** Moves a failed projection past the event at `position` (its failed event) and sets it running. */
  skip(name: string, position: number): Promise<void>;
  stop(): Promise<void>;
}

export function startProjections(store: EventStore, projections: readonly Projection[], options: ProjectionsOptions = {}): Projections {
  const byName = new Map(projections.map((p) => [p.name, p]));
  if (byName.size !== projections.length) throw new ValidationError('projections', 'names must be unique');
  const inline = options.inline ?? [];
  for (const name of inline) if (!byName.has(name)) throw new ValidationError('inline', `names no projection: ${name}`);
  const batchSize = options.batchSize ?? 500;
  assertCount(batchSize, 'batchSize', 1, 10_000);
  const logger = options.logger ?? console;

  const runners = new Map<string, Runner>();
  for (const projection of projections) {
    runners.set(
      projection.name,
      startRunner(store, projection, {
        batchSize,
        retryDelaysMs: options.retryDelaysMs ?? [100, 500, 2000],
        pollIntervalMs: options.pollIntervalMs ?? 1000,
        leaseRetryMs: options.leaseRetryMs ?? 2000,
        logger,
        rebuild: (p) => rebuildProjection(store, p, { batchSize: Math.max(batchSize, 2000) }).then(() => {}),
      }),
    );
  }
  const removeHook = inline.length > 0 ? store.addAppendHook(inlineHook(store, inline.map((name) => byName.get(name)!))) : () => {};
  return controlsOf(store, projections, { runners, stop: removeHook });
}

/** Status and operator controls, with no runners in this process (as the CLI uses them). */
export function projectionControls(store: EventStore, projections: readonly Projection[]): Projections {
  return controlsOf(store, projections, {});
}

/** The controls, waking and stopping this process's runners where it has them. */
function controlsOf(
  store: EventStore,
  projections: readonly Projection[],
  running: { runners?: Map<string, Runner>; stop?: () => void },
): Projections {
  const readModels = store.readModels;
  const byName = new Map(projections.map((p) => [p.name, p]));
  const find = (name: string) => {
    const projection = byName.get(name);
    if (!projection) throw new ValidationError('name', `no projection is called ${JSON.stringify(name)}`);
    return projection;
  };
  const checkpointsTable = { [CHECKPOINTS]: readModels.table(CHECKPOINTS) };
  const read = (name: string) => readModels.transaction(checkpointsTable, (db) => checkpoints.get(db, name));

  /** Changes a failed projection's checkpoint in one transaction, then wakes its runner. */
  async function recover(name: string, change: (db: ReadModelDb, failed: Checkpoint) => Promise<unknown>) {
    const projection = find(name);
    await readModels.transaction(tablesOf(projection, readModels, 0), async (db) => {
      // A store where no projection has run yet has no checkpoint table to lock.
      await checkpoints.createTable(db);
      const checkpoint = await checkpoints.lock(db, name);
      if (!checkpoint) throw new ValidationError('name', `projection ${name} has not run yet`);
      if (checkpoint.state !== 'failed') throw new ValidationError('name', `projection ${name} has not failed (it is ${checkpoint.state})`);
      await change(db, checkpoint);
      await checkpoints.setState(db, name, 'running');
    });
    running.runners?.get(name)?.nudge();
  }

  return {
    async status() {
      const head = await store.headPosition();
      const rows = await readModels.transaction(checkpointsTable, (db) => checkpoints.all(db));
      const known = new Map(rows.map((r) => [r.name, r]));
      return projections.map((p) => {
        const row = known.get(p.name);
        const position = row?.position ?? 0;
        return {
          name: p.name,
          version: row?.version ?? p.version,
          state: row?.state ?? 'running',
          position,
          head,
          lag: Math.max(head - position, 0),
          error: row?.error ?? null,
          errorPosition: row?.errorPosition ?? null,
          updatedAt: new Date(row?.updatedAt ?? 0),
        };
      });
    },

    async waitFor(name, position, timeoutMs = 5000) {
      const { version } = find(name);
      assertCount(position, 'position', 0);
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const halted = running.runners?.get(name)?.halted();
        if (halted) throw halted;
        const checkpoint = await read(name).catch(() => undefined);
        if (checkpoint && checkpoint.version === version && checkpoint.state === 'running' && checkpoint.position >= position) return;
        if (checkpoint?.state === 'failed') throw failedError(checkpoint, running.runners?.get(name));
        if (Date.now() >= deadline) {
          throw new ProjectionTimeoutError(`projection ${name} did not reach position ${position} within ${timeoutMs} ms`);
        }
        await sleep(10);
      }
    },

    async rebuild(name, options) {
      return rebuildProjection(store, find(name), options);
    },

    retry(name) {
      return recover(name, async () => {});
    },

    async skip(name, position) {
      assertCount(position, 'position', 1);
      await recover(name, async (db, failed) => {
        if (failed.errorPosition !== position) {
          throw new ValidationError('position', `projection ${name} failed at position ${failed.errorPosition}, not ${position}`);
        }
        await checkpoints.advance(db, name, position);
      });
    },

    async stop() {
      running.stop?.();
      await Promise.all([...(running.runners?.values() ?? [])].map((r) => r.stop()));
    },
  };
}

/** The error of a failed checkpoint, with the handler's own error as its cause when this process's runner saw it fail. */
function failedError(checkpoint: Checkpoint, runner: Runner | undefined): ProjectionFailedError {
  const position = checkpoint.errorPosition ?? checkpoint.position + 1;
  const reason = checkpoint.error ?? 'its handler threw';
  const seen = runner?.failure();
  const cause = seen?.position === position && seen.message === checkpoint.error ? seen.error : undefined;
  return new ProjectionFailedError(checkpoint.name, position, reason, cause === undefined ? undefined : { cause });
}
