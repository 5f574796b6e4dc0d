// Helpers for the read side's stories: put events in the posts' streams, run the
// blog's projections while a story runs, and read a table's rows as they are.

import { startProjections, type EventStore, type Projections } from '../../../src/index.js';
import { postStreamId } from '../commands.js';
import type { PostEvent } from '../events.js';
import { projections } from './index.js';
import { postsProjection, type PostRow } from './posts.js';

/** Given: these events are already in their posts' streams, in this order. */
export async function givenEvents(store: EventStore, ...events: PostEvent[]): Promise<void> {
  for (const event of events) await store.appendToStream(postStreamId(event.data.postId), [event]);
}

/** Runs the blog's projections (quick to notice new events) while `story` runs, then stops them. */
export async function withProjections<T>(store: EventStore, story: (projections: Projections) => Promise<T>, inline: readonly string[] = []): Promise<T> {
  const running = startProjections(store, projections, { pollIntervalMs: 50, retryDelaysMs: [5], inline });
  try {
    return await story(running);
  } finally {
    await running.stop();
  }
}

/** Waits until every blog projection has applied every event in the store. */
export async function caughtUp(store: EventStore, running: Projections): Promise<void> {
  const head = await store.headPosition();
  for (const { name } of projections) await running.waitFor(name, head, 10_000);
}

/** The rows of a read-model table, ordered by `orderBy`, with numbers as numbers on every store. */
export async function rowsOf<Row extends object>(store: EventStore, table: string, orderBy: string): Promise<Row[]> {
  const rows = await store.readModels.transaction({ t: store.readModels.table(table) }, (db) => db.all<Row>(`SELECT * FROM {t} ORDER BY ${orderBy}`));
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as Row);
}

/**
 * Given: the posts table holds these rows, set up as the projection sets it up; each row
 * is `defaults` (a post by ada created at 1000) overridden by what the row gives.
 */
export async function givenPostRows(store: EventStore, rows: Partial<PostRow>[], defaults: Partial<PostRow> = {}): Promise<void> {
  const readModels = store.readModels;
  const tables = Object.fromEntries([
    ...postsProjection.tables.map((name) => [name, readModels.table(name)]),
    ...postsProjection.indexes.map((name) => [name, `"${name}"`]),
  ]);
  await readModels.transaction(tables, async (db) => {
    await postsProjection.setup(db);
    for (const row of rows) {
      const full = { title: row.post_id!, author_id: 'ada', status: 'draft', created_at: 1000, published_at: null, version: 1, ...defaults, ...row };
      await db.run(
        `INSERT INTO {posts} (post_id, title, title_lower, author_id, status, created_at, published_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [full.post_id!, full.title, full.title.toLowerCase(), full.author_id, full.status, full.created_at, full.published_at, full.version],
      );
    }
  });
}
