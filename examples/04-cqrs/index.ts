// CQRS: commands change the blog only by appending events; queries read only the
// read models the projections keep. Run: npx tsx examples/04-cqrs/index.ts

import { openEventStore } from '../../src/index.js';
import type { PostCommand } from '../blog/index.js';
import type { AuthorStats, PostView } from '../blog/read-side/index.js';
import { startBlog } from './app.js';
import { storyteller, tellWhenRun } from '../story.js';

export interface Story {
  lines: string[];
  /** The published posts, page by page (one per page, to show the cursor). */
  pages: PostView[][];
  adasPosts: PostView[];
  searched: PostView[];
  adaStats: AuthorStats | undefined;
  /** The post as the read side saw it right after a command sent with readYourWrites. */
  afterUnpublish: PostView | undefined;
}

/** Tells the story on `storeUrl` (an empty store), printing each line with `print`. */
export async function main(storeUrl = 'memory:', print: (line: string) => void = console.log): Promise<Story> {
  const { lines, say } = storyteller(print);
  const store = await openEventStore(storeUrl);
  const blog = startBlog(store);
  try {
    say(`CQRS on ${storeUrl} (commands append events, queries read read models)`);
    say();
    say('Write side:');
    const commands: PostCommand[] = [
      { type: 'CreatePost', postId: 'hello', title: 'Hello, Eventline', body: '…', authorId: 'ada' },
      { type: 'CreatePost', postId: 'cqrs', title: 'Why CQRS?', body: '…', authorId: 'ada' },
      { type: 'CreatePost', postId: 'events', title: 'Events are facts', body: '…', authorId: 'bo' },
      { type: 'CreatePost', postId: 'drafts', title: 'Drafts stay private', body: '…', authorId: 'ada' },
      { type: 'PublishPost', postId: 'hello' },
      { type: 'PublishPost', postId: 'cqrs' },
      { type: 'PublishPost', postId: 'events' },
    ];
    for (const command of commands) {
      const result = await blog.send(command);
      say(`  ${`${command.type} ${command.postId}`.padEnd(19)} → ${result.events.map((e) => e.type).join(', ')} at position ${result.lastPosition}`);
    }

    // Read-your-writes: this caller shows the post next, so it waits for the read models.
    const unpublished = await blog.send({ type: 'UnpublishPost', postId: 'hello' }, { readYourWrites: true });
    say(`  UnpublishPost hello → PostWasUnpublished at position ${unpublished.lastPosition}, and waited for the read models to pass it`);
    const afterUnpublish = await blog.queries.post('hello');
    say();
    say('Read side:');
    say(`  post hello                 → ${afterUnpublish?.status} (version ${afterUnpublish?.version})`);

    const pages: PostView[][] = [];
    let cursor: string | undefined;
    do {
      const page = await blog.queries.publishedPosts({ limit: 1, ...(cursor && { cursor }) });
      pages.push(page.items);
      say(`  published, page ${pages.length}          → ${page.items.map((p) => p.postId).join(', ')}${page.nextCursor ? `  (next cursor ${page.nextCursor})` : ''}`);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    const adasPosts = (await blog.queries.postsByAuthor({ authorId: 'ada' })).items;
    say(`  posts by ada               → ${adasPosts.map((p) => `${p.postId} (${p.status})`).join(', ')}`);
    const searched = await blog.queries.searchTitles({ text: 'EVENT' });
    say(`  titles containing "EVENT"  → ${searched.map((p) => JSON.stringify(p.title)).join(', ')}`);
    const adaStats = await blog.queries.authorStats('ada');
    say(`  ada's stats                → ${adaStats?.posts} posts, ${adaStats?.publishedPosts} published`);
    return { lines, pages, adasPosts, searched, adaStats, afterUnpublish };
  } finally {
    await blog.stop();
    await store.close();
  }
}

await tellWhenRun(import.meta.url, main);
