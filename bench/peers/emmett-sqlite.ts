// Emmett's SQLite store in its default set-up: a file, a connection opened per
// operation (sqlite3 package, WAL, sqlite3's default synchronous).

import { projections } from '@event-driven-io/emmett';
import {
  getSQLiteEventStore,
  handleProjections,
  readMessagesBatch,
  sqliteConnection,
  sqliteProjection,
  streamsTable,
  type SQLiteConnection,
} from '@event-driven-io/emmett-sqlite';
import { createPost, editPost, postsSetup, postWrite } from '../floors/posts-sql.js';
import type { BlogEvent } from '../workloads/blog-events.js';
import type { OpenStore } from '../workloads/adapter.js';
import { PAGE_SIZE } from '../workloads/sizes.js';
import { appendForPosition, emmettBasics } from './emmett.js';

export const open: OpenStore = async (scratch) => {
  const fileName = scratch.sqlitePath;
  const store = getSQLiteEventStore({ fileName });
  // Create the schema before any timing starts.
  await store.schema.migrate();
  return {
    ...emmettBasics(store),

    // Emmett reads all events through consumers that store a checkpoint per message;
    // its batch reader underneath them is the fastest public way, so that is measured.
    async readAll(visit) {
      const connection = sqliteConnection({ fileName });
      try {
        let after = 0n;
        while (true) {
          const batch = await readMessagesBatch(connection, { after, batchSize: PAGE_SIZE });
          batch.messages.forEach(visit);
          if (!batch.areEventsLeft) return;
          after = batch.currentGlobalPosition;
        }
      } finally {
        connection.close();
      }
    },

    // P1: Emmett's SQLite projections run inline, inside an append; it has no rebuild.
    // The closest is what follows: its batch reader over every event, each batch handed
    // to the same kind of projection (the posts table, one row per post) by its
    // handleProjections, in one transaction per batch.
    async rebuildPosts() {
      const connection = sqliteConnection({ fileName });
      try {
        await connection.batchCommand(POSTS_SETUP);
        let after = 0n;
        let applied = 0;
        while (true) {
          const batch = await readMessagesBatch<BlogEvent>(connection, { after, batchSize: PAGE_SIZE });
          await connection.withTransaction(() => handleProjections({ events: batch.messages, projections: [posts], connection }));
          applied += batch.messages.length;
          if (!batch.areEventsLeft) return applied;
          after = batch.currentGlobalPosition;
        }
      } finally {
        connection.close();
      }
    },

    // P2: the posts projection registered inline (below, why its positions are corrected): it
    // runs in the append's transaction, so an event is visible once its append returns, and
    // the lag measured is its append latency. Its async consumer (store.consumer()) is no
    // alternative in 0.42.4: its checkpoint stops at the end of the first batch (each batch
    // begins with an insert the existing row refuses), so its progress cannot be read.
    async livePosts() {
      const connection = sqliteConnection({ fileName });
      try {
        await connection.batchCommand(POSTS_SETUP);
      } finally {
        connection.close();
      }
      const live = getSQLiteEventStore({ fileName, projections: projections.inline([inlinePosts]) });
      await live.schema.migrate();
      let visible = 0;
      return {
        async append(streamId, events, expected) {
          const position = await appendForPosition(live, streamId, events, expected);
          visible = Math.max(visible, position);
          return position;
        },
        visiblePosition: async () => visible,
        async stop() {},
      };
    },

    async close() {},
  };
};

/** The blog's `posts` table (examples/blog/read-side/posts.ts). */
const POSTS_SETUP = postsSetup('posts');

const posts = sqliteProjection<BlogEvent>({
  canHandle: ['PostWasCreated', 'PostWasEdited'],
  async handle(events, { connection }) {
    for (const event of events) await applyPost(connection, event, Number(event.metadata.streamPosition));
  },
});

// Inline, Emmett hands a projection each event's index within its append as its
// streamPosition (1..n), not its place in the stream; the stream's version, already written
// in the same transaction, gives the real one: one lookup per append, by id alone (0.42.4
// writes the streams row's partition as '[object Object]').
const inlinePosts = sqliteProjection<BlogEvent>({
  canHandle: ['PostWasCreated', 'PostWasEdited'],
  async handle(events, { connection }) {
    const [first] = events;
    if (first === undefined) return;
    const [stream] = await connection.query<{ stream_position: number }>(
      `SELECT stream_position FROM ${streamsTable.name} WHERE stream_id = ? AND is_archived = FALSE`,
      [first.metadata.streamName],
    );
    const before = Number(stream?.stream_position) - events.length;
    for (const event of events) await applyPost(connection, event, before + Number(event.metadata.streamPosition));
  },
});

async function applyPost(connection: SQLiteConnection, event: BlogEvent, version: number): Promise<void> {
  const write = postWrite(event.type, event.data, version, Date.now());
  if (write) await connection.command(write.create ? createPost('posts') : editPost('posts'), write.values);
}

/** The SQLite under Emmett's store and what a fresh connection of it runs with. */
export async function describeDriver(path: string): Promise<string> {
  const connection = sqliteConnection({ fileName: path });
  try {
    const [version] = await connection.query<{ v: string }>('SELECT sqlite_version() AS v');
    const [journal] = await connection.query<{ journal_mode: string }>('PRAGMA journal_mode');
    const [sync] = await connection.query<{ synchronous: number }>('PRAGMA synchronous');
    const names = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
    return `sqlite3 package, SQLite ${version?.v}, journal_mode=${journal?.journal_mode}, synchronous=${names[sync?.synchronous ?? -1] ?? sync?.synchronous}`;
  } finally {
    connection.close();
  }
}
