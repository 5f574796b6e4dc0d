// Rebuilding a read model: build generation N+1 beside the live tables from the first
// event, reporting progress, then in one transaction drop the live tables and rename
// the new ones into their place; the runner applies whatever arrived since. Queries
// read the old tables until that instant. A rebuild that dies leaves only build
// tables, dropped next time. Its heartbeat (the checkpoint's updated_at) is also its
// claim: a rebuild that finds the heartbeat changed by another has been taken over,
// and stops.

import type { RecordedEvent } from '../core/events.js';
import { ProjectionBusyError, PrunedHistoryError } from '../core/errors.js';
import { RETENTION_STREAM, STREAM_COMPACTED } from '../core/retention-names.js';
import { assertCount } from '../core/validation.js';
import type { EventStore } from '../store/event-store.js';
import type { ReadModelDb } from '../store/read-models.js';
import { checkpoints } from './checkpoints.js';
import type { Projection } from './projection.js';
import { tablesOf } from './tables.js';

export interface RebuildProgress {
  /** Events applied so far. */
  events: number;
  /** The position reached, and the store's head when the rebuild looked last. */
  position: number;
  head: number;
  eventsPerSecond: number;
  /** Seconds left at the current rate; undefined until a rate is known. */
  etaSeconds: number | undefined;
}

export interface RebuildOptions {
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
  /**
   * A rebuild in progress whose heartbeat is older than this is taken to have died,
   * and this one takes it over. Default 30 000 ms; 0 takes over any rebuild in progress
   * (which then stops at its next batch).
   */
  abandonedAfterMs?: number;
  /**
   * Rebuild even though a prune compacted streams of the store and the projection does
   * not take StreamCompacted events: the rows of compacted streams are then lost. Default false.
   */
  acceptPrunedHistory?: boolean;
}

/** A rebuild whose heartbeat is older than this is taken to have died. */
export const ABANDONED_AFTER_MS = 30_000;

export async function rebuildProjection(store: EventStore, projection: Projection, options: RebuildOptions = {}): Promise<RebuildProgress> {
  const readModels = store.readModels;
  const batchSize = options.batchSize ?? 2_000;
  const abandonedAfterMs = options.abandonedAfterMs ?? ABANDONED_AFTER_MS;
  assertCount(abandonedAfterMs, 'abandonedAfterMs', 0);
  const live = tablesOf(projection, readModels, 0);
  // Once a prune compacted a stream, only a projection that takes StreamCompacted builds
  // every row again. (A stream removed whole is meant to leave no row.)
  if (options.acceptPrunedHistory !== true && !projection.eventTypes.includes(STREAM_COMPACTED) && (await compactedAny(store))) {
    throw new PrunedHistoryError(projection.name);
  }

  // The claim: state 'rebuilding' and a heartbeat no one else has written.
  let heartbeat = 0;
  const generation = await readModels.transaction(live, async (db) => {
    await checkpoints.ensure(db, projection.name, projection.version);
    const checkpoint = (await checkpoints.lock(db, projection.name))!;
    // A heartbeat may run a millisecond ahead of the clock (see checkpoints.heartbeat).
    const age = Math.max(Date.now() - checkpoint.updatedAt, 0);
    if (checkpoint.state === 'rebuilding' && age < abandonedAfterMs) {
      throw new ProjectionBusyError(
        `projection ${projection.name} is being rebuilt already (last heartbeat ${Math.round(age / 1000)} s ago); ` +
          `a rebuild whose heartbeat is older than ${Math.round(abandonedAfterMs / 1000)} s is taken over`,
      );
    }
    // A heartbeat later than any the previous owner wrote, so that one cannot carry on.
    heartbeat = await checkpoints.claim(db, projection.name, checkpoint.updatedAt);
    return checkpoint.generation + 1;
  });
  const build = tablesOf(projection, readModels, generation, true);
  const takenOver = () => new ProjectionBusyError(`the rebuild of projection ${projection.name} was taken over by another`);
  const beat = async (db: ReadModelDb) => {
    const next = await checkpoints.heartbeat(db, projection.name, heartbeat);
    if (next === undefined) throw takenOver();
    heartbeat = next;
  };
  /**
   * One batch into the build tables. A rebuild that was taken over may still be in
   * the middle of one, on the same tables: on PostgreSQL the tables are locked first
   * (their DROP in the next rebuild's set-up waits for it too), then the claim is
   * checked, and the heartbeat at the end commits the batch only if it still holds.
   * Every transaction here takes the tables before the checkpoint row, so two
   * rebuilds never deadlock, and an inline append waits for the row only a moment.
   */
  const buildBatch = (work: (db: ReadModelDb) => Promise<void>) =>
    readModels.transaction(build, async (db) => {
      if (db.dialect === 'postgres') await db.exec(`LOCK TABLE ${projection.tables.map((t) => build[t]).join(', ')} IN EXCLUSIVE MODE`);
      const checkpoint = await checkpoints.get(db, projection.name);
      if (checkpoint?.state !== 'rebuilding' || checkpoint.updatedAt !== heartbeat) throw takenOver();
      await work(db);
      await beat(db);
    });

  try {
    await readModels.transaction(build, async (db) => {
      await dropTables(db, projection, build);
      await projection.setup(db);
      await beat(db);
    });

    const started = Date.now();
    let position = 0;
    let applied = 0;
    let head = await store.headPosition();
    const progress = (): RebuildProgress => {
      const seconds = (Date.now() - started) / 1000;
      const eventsPerSecond = seconds > 0 ? Math.round(applied / seconds) : 0;
      const left = Math.max(head - position, 0);
      const rate = position / Math.max(seconds, 1e-3);
      return { events: applied, position, head, eventsPerSecond, etaSeconds: position > 0 ? left / rate : undefined };
    };

    // Build while the live tables keep serving. The swap leaves the checkpoint at the
    // last event applied; the live runner applies whatever arrived since.
    while (true) {
      const events = await readBatch(store, projection, position, batchSize);
      if (events.length > 0) {
        await buildBatch(async (db) => {
          for (const event of events) await projection.handle(event, db);
        });
        position = events.at(-1)!.position;
        applied += events.length;
        head = Math.max(head, position);
        options.onProgress?.(progress());
      }
      if (events.length < batchSize) break;
      // A turn of the event loop between batches: SQLite's statements are synchronous,
      // and a rebuild must not stop the process from serving meanwhile.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    // The swap commits only if the claim still holds when it ends.
    await readModels.transaction(build, async (db) => {
      for (const table of projection.tables) {
        await db.exec(`DROP TABLE IF EXISTS ${readModels.table(table)}`);
        await db.exec(`ALTER TABLE ${build[table]} RENAME TO "${table}"`);
      }
      await beat(db);
      await checkpoints.replace(db, projection.name, projection.version, position, generation);
    });
    options.onProgress?.(progress());
    return progress();
  } catch (error) {
    await readModels
      .transaction(live, (db) => checkpoints.endRebuild(db, projection.name, heartbeat))
      .catch(() => {});
    throw error;
  }
}

function readBatch(store: EventStore, projection: Projection, after: number, batchSize: number): Promise<RecordedEvent[]> {
  return store.readAllPage({ after, types: projection.eventTypes, batchSize });
}

async function dropTables(db: ReadModelDb, projection: Projection, tables: Record<string, string>): Promise<void> {
  for (const table of projection.tables) await db.exec(`DROP TABLE IF EXISTS ${tables[table]}`);
}

/** Whether the log holds a StreamCompacted event; the `$retention` stream says first whether anything was ever pruned. */
async function compactedAny(store: EventStore): Promise<boolean> {
  const [pruned] = await store.readStream(RETENTION_STREAM, { maxCount: 1 });
  if (pruned === undefined) return false;
  for await (const _ of store.readAll({ types: [STREAM_COMPACTED], batchSize: 1 })) return true;
  return false;
}
