// Rebuilding a read model: build generation N+1 beside the live tables from the first
// event, reporting progress, then in one transaction apply the last events, drop the
// live tables and rename the new ones into their place. Queries read the old tables
// until that instant. A rebuild that dies leaves only build tables, dropped next time.

import type { RecordedEvent } from '../core/events.js';
import { EventlineError } from '../core/errors.js';
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
}

export class ProjectionBusyError extends EventlineError {
  readonly code = 'PROJECTION_BUSY';
}

/** A rebuild whose heartbeat is older than this is taken to have died. */
const ABANDONED_AFTER_MS = 30_000;

export async function rebuildProjection(store: EventStore, projection: Projection, options: RebuildOptions = {}): Promise<RebuildProgress> {
  const readModels = store.readModels;
  const batchSize = options.batchSize ?? 2_000;
  const live = tablesOf(projection, readModels, 0);

  const generation = await readModels.transaction(live, async (db) => {
    const checkpoint = await checkpoints.ensure(db, projection.name, projection.version);
    if (checkpoint.state === 'rebuilding' && Date.now() - checkpoint.updatedAt < ABANDONED_AFTER_MS) {
      throw new ProjectionBusyError(`projection ${projection.name} is being rebuilt already`);
    }
    await checkpoints.setState(db, projection.name, 'rebuilding');
    return checkpoint.generation + 1;
  });
  const build = tablesOf(projection, readModels, generation, true);

  try {
    await readModels.transaction(build, async (db) => {
      await dropTables(db, projection, build);
      await projection.setup(db);
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
        await readModels.transaction(build, async (db) => {
          for (const event of events) await projection.handle(event, db);
          await checkpoints.setState(db, projection.name, 'rebuilding');
        });
        position = events.at(-1)!.position;
        applied += events.length;
        head = Math.max(head, position);
        options.onProgress?.(progress());
      }
      if (events.length < batchSize) break;
    }

    await readModels.transaction(build, async (db) => {
      for (const table of projection.tables) {
        await db.exec(`DROP TABLE IF EXISTS ${readModels.table(table)}`);
        await db.exec(`ALTER TABLE ${build[table]} RENAME TO "${table}"`);
      }
      await checkpoints.replace(db, projection.name, projection.version, position, generation);
    });
    options.onProgress?.(progress());
    return progress();
  } catch (error) {
    await readModels
      .transaction(live, (db) => checkpoints.setState(db, projection.name, 'running'))
      .catch(() => {});
    throw error;
  }
}

async function readBatch(store: EventStore, projection: Projection, after: number, batchSize: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll({ after, types: projection.eventTypes, batchSize })) {
    events.push(event);
    if (events.length === batchSize) break;
  }
  return events;
}

async function dropTables(db: ReadModelDb, projection: Projection, tables: Record<string, string>): Promise<void> {
  for (const table of projection.tables) await db.exec(`DROP TABLE IF EXISTS ${tables[table]}`);
}
