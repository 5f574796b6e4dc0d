// Emmett's PostgreSQL store in its default set-up (a pooled connection), in a
// database of its own (targets.ts says why).

import { dumbo, rawSql, SQL } from '@event-driven-io/dumbo';
import {
  getPostgreSQLEventStore,
  handleProjections,
  postgreSQLEventStoreConsumer,
  postgreSQLRawSQLProjection,
  readMessagesBatch,
  readProcessorCheckpoint,
  type PostgresReadEvent,
} from '@event-driven-io/emmett-postgresql';
import { postsSetup } from '../floors/posts-sql.js';
import type { BlogEvent } from '../workloads/blog-events.js';
import type { OpenStore } from '../workloads/adapter.js';
import { PAGE_SIZE } from '../workloads/sizes.js';
import { appendForPosition, emmettBasics } from './emmett.js';

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

    // P1: Emmett's rebuild (rebuildPostgreSQLProjections) is a consumer that stores a
    // checkpoint per message. The closest to ours is what runs underneath it: its batch
    // reader over every event, each batch handed to the same kind of projection (the posts
    // table, one row per post, one statement per event) by its handleProjections, in one
    // transaction per batch.
    async rebuildPosts() {
      const pool = dumbo({ connectionString });
      try {
        await pool.execute.batchCommand(POSTS_SETUP);
        let after = 0n;
        let applied = 0;
        while (true) {
          const batch = await readMessagesBatch<BlogEvent>(pool.execute, { after, batchSize: PAGE_SIZE });
          await pool.withTransaction((transaction) =>
            handleProjections({ events: batch.messages, projections: [posts], connection: { connectionString, pool, transaction } }),
          );
          applied += batch.messages.length;
          if (!batch.areMessagesLeft) return applied;
          after = batch.currentGlobalPosition;
        }
      } finally {
        await pool.close();
      }
    },

    // P2: Emmett's own async runner: a postgreSQLEventStoreConsumer polling the messages
    // table, its projector running the same posts projection, at Emmett's defaults
    // (DefaultPostgreSQLEventStoreProcessorBatchSize 100, ...PullingFrequencyInMs 50 ms; after
    // a batch short of 100 its puller waits twice as long, 100 ms doubling to 1 s). The projector
    // applies a batch in one transaction, storing its checkpoint in the processors table after
    // each event: that checkpoint is the analogue of ours, so it is what visiblePosition reads.
    async livePosts() {
      const reader = dumbo({ connectionString });
      await reader.execute.batchCommand(POSTS_SETUP);
      const consumer = postgreSQLEventStoreConsumer({ connectionString });
      consumer.projector<BlogEvent>({ processorId: POSTS_PROCESSOR, projection: posts });
      let failure: unknown;
      void consumer.start().catch((error: unknown) => (failure = error));
      const checkpoint = async () => {
        if (failure !== undefined) throw failure;
        return (await readProcessorCheckpoint(reader.execute, { processorId: POSTS_PROCESSOR })).lastProcessedCheckpoint;
      };
      // The processor's row appears when it has started (its lock writes it): appends wait for that.
      while ((await checkpoint()) === null) await new Promise((resolve) => setTimeout(resolve, 5));
      return {
        append: (streamId, events, expected) => appendForPosition(store, streamId, events, expected),
        visiblePosition: async () => Number((await checkpoint()) ?? 0n),
        async stop() {
          await consumer.close();
          await reader.close();
        },
      };
    },

    close: () => store.close(),
  };
};

/** Emmett's default id for a projector of the projection named 'posts' (getProjectorId). */
const POSTS_PROCESSOR = 'emt:processor:projector:posts';

/** The blog's `posts` table (examples/blog/read-side/posts.ts). */
const POSTS_SETUP = postsSetup('posts').map((sql) => rawSql(sql));

// Emmett's SQL template inlines each value as a quoted literal: one plain query per
// event, as its raw-SQL projections send them (no parameters, no prepared statements).
const posts = postgreSQLRawSQLProjection<BlogEvent>({
  name: 'posts',
  canHandle: ['PostWasCreated', 'PostWasEdited'],
  // Typed as the bare event, but handed the read event, metadata and all.
  evolve(read) {
    const event = read as PostgresReadEvent<BlogEvent>;
    const version = Number(event.metadata.streamPosition);
    if (event.type === 'PostWasCreated') {
      const { postId, title, authorId } = event.data;
      return SQL`INSERT INTO posts (post_id, title, title_lower, author_id, status, created_at, published_at, version)
        VALUES (${postId}, ${title}, ${title.toLowerCase()}, ${authorId}, 'draft', ${Date.now()}, NULL, ${version})
        ON CONFLICT (post_id) DO NOTHING`;
    }
    const { postId, title } = event.data;
    return SQL`UPDATE posts SET title = ${title}, title_lower = ${title.toLowerCase()}, version = ${version}
      WHERE post_id = ${postId} AND version < ${version}`;
  },
});
