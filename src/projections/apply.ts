// Applying events to a projection's tables, exactly once: in one transaction, the
// checkpoint is read, only events past it are applied, and it is moved forward.

import type { RecordedEvent } from '../core/events.js';
import type { ReadModelStorage, ReadModelTables } from '../store/read-models.js';
import { checkpoints } from './checkpoints.js';
import type { Projection } from './projection.js';

/**
 * A handler's error and the event it failed on. It never leaves the runner, which
 * retries the event and then records the failure (a waiter sees ProjectionFailedError),
 * so it is not an EventlineError.
 */
export class HandlerError extends Error {
  constructor(
    readonly event: RecordedEvent,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Applies `events` and moves the checkpoint from `from` to `to`. Returns false (and
 * changes nothing) when the checkpoint is no longer at `from` or the projection is not
 * running: another process got there first, or an operator stepped in.
 */
export async function applyBatch(
  readModels: ReadModelStorage,
  tables: ReadModelTables,
  projection: Projection,
  events: readonly RecordedEvent[],
  from: number,
  to: number,
): Promise<boolean> {
  return readModels.transaction(tables, async (db) => {
    const checkpoint = await checkpoints.lock(db, projection.name);
    if (!checkpoint || checkpoint.position !== from || checkpoint.state !== 'running') return false;
    let last: RecordedEvent | undefined;
    for (const event of events) {
      if (event.position <= from) continue;
      last = event;
      try {
        await projection.handle(event, db);
      } catch (error) {
        throw new HandlerError(event, error);
      }
    }
    // Writes the handlers deferred fail here; which event caused it shows when the
    // runner applies the batch again one event at a time.
    try {
      await db.flush();
    } catch (error) {
      if (last === undefined) throw error;
      throw new HandlerError(last, error);
    }
    await checkpoints.advance(db, projection.name, to);
    return true;
  });
}
