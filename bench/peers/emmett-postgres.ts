// Emmett's PostgreSQL store in its default set-up (a pooled connection), in a
// database of its own (targets.ts says why).

import { dumbo } from '@event-driven-io/dumbo';
import { getPostgreSQLEventStore, readMessagesBatch } from '@event-driven-io/emmett-postgresql';
import type { OpenStore } from '../adapter.js';
import { PAGE_SIZE } from '../workloads/sizes.js';
import { emmettBasics } from './emmett.js';

export const open: OpenStore = async (scratch) => {
  const connectionString = scratch.postgresDatabaseUrl;
  const store = getPostgreSQLEventStore(connectionString);
  // Create the schema before any timing starts.
  await store.schema.migrate();
  return {
    ...emmettBasics(store),

    // Emmett reads all events through consumers that store a checkpoint per message;
    // its batch reader underneath them is the fastest public way, so that is measured.
    async readAll(visit) {
      const pool = dumbo({ connectionString });
      try {
        let after = 0n;
        while (true) {
          const batch = await readMessagesBatch(pool.execute, { after, batchSize: PAGE_SIZE });
          batch.messages.forEach(visit);
          if (!batch.areMessagesLeft) return;
          after = batch.currentGlobalPosition;
        }
      } finally {
        await pool.close();
      }
    },

    noRebuildPosts: 'not measured: rebuildPostgreSQLProjections (a consumer with its own checkpoints) is not wired into this bench',

    close: () => store.close(),
  };
};
