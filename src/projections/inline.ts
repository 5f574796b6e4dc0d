// Inline projections run inside the append's transaction: when the append commits,
// the read model has its events; when a handler throws, the append is rolled back.
// Events appended by writers that do not run the projection inline are caught up
// here too, from the checkpoint, so every event still takes effect exactly once.

import type { AppendHook, EventStore } from '../store/event-store.js';
import { checkpoints } from './checkpoints.js';
import type { Projection } from './projection.js';
import { tablesOf } from './tables.js';

export function inlineHook(store: EventStore, projections: readonly Projection[]): AppendHook {
  const readModels = store.readModels;
  // Projections whose checkpoint this process has seen: their checkpoint table exists.
  const seen = new Set<string>();
  return async (appended, dbFor, eventsAfter) => {
    const last = appended.at(-1)!.position;
    for (const projection of projections) {
      const types = new Set(projection.eventTypes);
      // The live tables are generation 0's names; only the checkpoint row says more.
      const probe = dbFor(tablesOf(projection, readModels, 0));
      // An append right after the projections start may come before any runner has
      // created the checkpoint table: it is created here then, and found empty.
      if (!seen.has(projection.name)) await checkpoints.createTable(probe);
      const checkpoint = await checkpoints.lock(probe, projection.name);
      if (checkpoint) seen.add(projection.name);
      // Not set up yet, rebuilding or failed: the runner owns it until it is running again.
      if (!checkpoint || checkpoint.state !== 'running' || checkpoint.position >= last) continue;
      const db = dbFor(tablesOf(projection, readModels, checkpoint.generation));
      for (const event of await eventsAfter(checkpoint.position)) {
        if (types.has(event.type)) await projection.handle(event, db);
      }
      await checkpoints.advance(db, projection.name, last);
    }
  };
}
