// A projection of events into a table: each event the blog records changes one row
// of `posts` (and the counts in `author_stats`), in the same transaction as the
// projection's checkpoint. Run: npx tsx examples/03-projection/index.ts

import { openEventStore, startProjections, type EventStore } from '../../src/index.js';
import { handlePostCommand, type PostCommand } from '../blog/index.js';
import { projections, type AuthorStatsRow, type PostRow } from '../blog/read-side/index.js';
import { storyteller, tellWhenRun } from '../story.js';

export interface Step {
  command: PostCommand;
  /** The event the command recorded. */
  event: string;
  /** The `posts` table once the projection had applied it. */
  posts: PostRow[];
}

export interface Story {
  lines: string[];
  steps: Step[];
  authorStats: AuthorStatsRow[];
}

/** Tells the story on `storeUrl` (an empty store), printing each line with `print`. */
export async function main(storeUrl = 'memory:', print: (line: string) => void = console.log): Promise<Story> {
  const { lines, say } = storyteller(print);
  const store = await openEventStore(storeUrl);
  // Async projections: each follows the log from its checkpoint, in the background.
  const running = startProjections(store, projections, { pollIntervalMs: 100 });
  try {
    say(`A projection of post events into the posts table, on ${storeUrl}`);
    const commands: PostCommand[] = [
      { type: 'CreatePost', postId: 'hello', title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' },
      { type: 'PublishPost', postId: 'hello' },
      { type: 'CreatePost', postId: 'drafts', title: 'On drafts', body: 'Not yet.', authorId: 'ada' },
      { type: 'EditPost', postId: 'drafts', title: 'On keeping drafts' },
    ];
    const steps: Step[] = [];
    for (const command of commands) {
      const result = await handlePostCommand(store, command);
      // Read-your-writes: the row is there once the projection has passed our event.
      await running.waitFor('posts', result.lastPosition);
      const posts = await rows<PostRow>(store, 'posts', 'post_id');
      const event = result.events.map((e) => e.type).join(', ');
      steps.push({ command, event, posts });
      say();
      say(`${command.type} ${command.postId} → ${event} at position ${result.lastPosition}; posts is now:`);
      for (const row of posts) say(`  ${describeRow(row)}`);
    }
    await running.waitFor('author_stats', await store.headPosition());
    const authorStats = await rows<AuthorStatsRow>(store, 'author_stats', 'author_id');
    say();
    say('author_stats:');
    for (const row of authorStats) say(`  ${row.author_id}: ${row.posts} posts, ${row.published_posts} published`);
    return { lines, steps, authorStats };
  } finally {
    await running.stop();
    await store.close();
  }
}

async function rows<Row extends object>(store: EventStore, table: string, orderBy: string): Promise<Row[]> {
  return store.readModels.transaction({ t: store.readModels.table(table) }, (db) => db.all<Row>(`SELECT * FROM {t} ORDER BY ${orderBy}`));
}

function describeRow(row: PostRow): string {
  const published = row.published_at === null ? 'not published' : `published at ${new Date(Number(row.published_at)).toISOString()}`;
  return `${row.post_id.padEnd(7)} ${JSON.stringify(row.title).padEnd(22)} by ${row.author_id}, ${row.status.padEnd(9)} v${row.version}, ${published}`;
}

await tellWhenRun(import.meta.url, main);
