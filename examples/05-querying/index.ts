// Querying: the events themselves (by stream, type, category, position, time,
// correlation id), the read models, and the blog as it was at an earlier point.
// Run: npx tsx examples/05-querying/index.ts

import { setTimeout as sleep } from 'node:timers/promises';
import { findEvents, openEventStore, startProjections, type EventStore, type RecordedEvent, type RowDiff, type TableAsOf } from '../../src/index.js';
import { handlePostCommand, postStreamId, type PostEvent, type PostState } from '../blog/index.js';
import { postAsOf, postQueries, postsAsOf, postsChangedBetween, projections, type PostView } from '../blog/read-side/index.js';
import { storyteller, tellWhenRun } from '../story.js';

export interface Story {
  lines: string[];
  /** Each question asked of the events, and the events that answered it. */
  eventQueries: { question: string; events: RecordedEvent[] }[];
  published: PostView[];
  /** The position and time between the first and second halves of the story. */
  midway: { position: number; time: Date };
  helloThen: PostState;
  postsAtMidwayPosition: TableAsOf;
  postsAtMidwayTime: TableAsOf;
  changedSinceMidway: RowDiff;
}

/** Tells the story on `storeUrl` (an empty store), printing each line with `print`. */
export async function main(storeUrl = 'memory:', print: (line: string) => void = console.log): Promise<Story> {
  const { lines, say } = storyteller(print);
  const store = await openEventStore(storeUrl);
  const running = startProjections(store, projections, { pollIntervalMs: 100 });
  try {
    say(`Querying events and read models on ${storeUrl}`);
    // First half: ada writes and publishes a post, bo starts one.
    await handlePostCommand(store, { type: 'CreatePost', postId: 'hello', title: 'Hello, Eventline', body: '…', authorId: 'ada' });
    await handlePostCommand(store, { type: 'PublishPost', postId: 'hello' });
    await handlePostCommand(store, { type: 'CreatePost', postId: 'events', title: 'Events are facts', body: '…', authorId: 'bo' });
    // Times are kept to the millisecond: leave a gap on each side of the midway point.
    await sleep(20);
    const midway = { position: await store.headPosition(), time: new Date() };
    await sleep(20);
    // Second half: an import brings two of bo's posts, one request tagged with one correlation id.
    await importPosts(store, 'import-42', [
      { postId: 'imported-1', title: 'Imported once', body: '…', authorId: 'bo' },
      { postId: 'imported-2', title: 'Imported twice', body: '…', authorId: 'bo' },
    ]);
    await handlePostCommand(store, { type: 'EditPost', postId: 'hello', title: 'Hello again, Eventline' });
    const last = await handlePostCommand(store, { type: 'PublishPost', postId: 'events' });

    say();
    say('Questions asked of the events:');
    const asked: [string, Parameters<typeof findEvents>[1]][] = [
      ['the stream post-hello', { streamId: postStreamId('hello') }],
      ['every PostWasPublished', { types: ['PostWasPublished'] }],
      ['the category post, PostWasCreated only', { category: 'post', types: ['PostWasCreated'] }],
      [`positions after 2 and before 5`, { after: 2, before: 5 }],
      ['recorded after the midway time', { recordedFrom: midway.time }],
      ['of correlation import-42', { correlationId: 'import-42' }],
    ];
    const eventQueries: Story['eventQueries'] = [];
    for (const [question, query] of asked) {
      const events = await findEvents(store, query);
      eventQueries.push({ question, events });
      say(`  ${question.padEnd(40)} → ${events.map((e) => `${e.position}:${e.type}`).join(' ')}`);
    }

    await running.waitFor('posts', last.lastPosition);
    const published = (await postQueries(store.readModels).publishedPosts()).items;
    say();
    say(`Asked of the posts read model: published, newest first → ${published.map((p) => p.postId).join(', ')}`);

    say();
    say(`As of the midway point (position ${midway.position}, ${midway.time.toISOString()}):`);
    const helloThen = (await postAsOf(store, 'hello', { position: midway.position })).state;
    say(`  post hello, folded from its stream → ${helloThen.status === 'absent' ? 'absent' : `${JSON.stringify(helloThen.title)}, ${helloThen.status}`}`);
    const postsAtMidwayPosition = await postsAsOf(store, { position: midway.position });
    const postsAtMidwayTime = await postsAsOf(store, { time: midway.time });
    say(`  posts, replayed into a private table → ${postsAtMidwayPosition.rows.map((r) => `${r.post_id} (${r.status})`).join(', ')}`);
    const changedSinceMidway = await postsChangedBetween(store, { time: midway.time }, { position: last.lastPosition });
    say(`  changed since: added ${changedSinceMidway.added.map((r) => r.post_id).join(', ')}; ` +
      `changed ${changedSinceMidway.changed.map((c) => `${c.key.post_id} (${c.columns.join(', ')})`).join(', ')}; ` +
      `removed ${changedSinceMidway.removed.length === 0 ? 'none' : changedSinceMidway.removed.map((r) => r.post_id).join(', ')}`);
    return { lines, eventQueries, published, midway, helloThen, postsAtMidwayPosition, postsAtMidwayTime, changedSinceMidway };
  } finally {
    await running.stop();
    await store.close();
  }
}

/** Appends each post's creation with the request's correlation id in its metadata. */
async function importPosts(store: EventStore, correlationId: string, posts: Extract<PostEvent, { type: 'PostWasCreated' }>['data'][]): Promise<void> {
  for (const data of posts) {
    await store.appendToStream(postStreamId(data.postId), [{ type: 'PostWasCreated', data, metadata: { correlationId } }], { expectedVersion: 'no_stream' });
  }
}

await tellWhenRun(import.meta.url, main);
