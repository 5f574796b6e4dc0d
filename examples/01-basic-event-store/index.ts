// The basic event store: streams of events, appended and read back, guarded by an
// expected version. Run: npx tsx examples/01-basic-event-store/index.ts

import { ConcurrencyError, openEventStore, type EventStore, type RecordedEvent } from '../../src/index.js';
import type { PostEvent } from '../blog/index.js';
import { storyteller, tellWhenRun } from '../story.js';

export interface Story {
  lines: string[];
  /** The stream post-1, read back. */
  stream: RecordedEvent[];
  /** Every event in the store, in the order it was recorded. */
  all: RecordedEvent[];
  /** What the store said to a writer that expected an old version. */
  conflict: ConcurrencyError;
}

/** Tells the story on `storeUrl` (an empty store), printing each line with `print`. */
export async function main(storeUrl = 'memory:', print: (line: string) => void = console.log): Promise<Story> {
  const { lines, say } = storyteller(print);
  const store = await openEventStore(storeUrl);
  try {
    say(`An event store on ${storeUrl}`);
    say();

    say('1. Append: each post is a stream; an append adds events at its end.');
    const created: PostEvent = {
      type: 'PostWasCreated',
      data: { postId: '1', title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' },
    };
    // 'no_stream': this must be the stream's first event.
    const first = await store.appendToStream('post-1', [created], { expectedVersion: 'no_stream' });
    say(`   post-1 ← PostWasCreated     now at version ${first.nextExpectedVersion}, position ${first.lastPosition}`);
    const other: PostEvent = {
      type: 'PostWasCreated',
      data: { postId: '2', title: 'Second thoughts', body: 'Another post.', authorId: 'grace' },
    };
    const second = await store.appendToStream('post-2', [other]);
    say(`   post-2 ← PostWasCreated     now at version ${second.nextExpectedVersion}, position ${second.lastPosition}`);
    const publishedEvent: PostEvent = { type: 'PostWasPublished', data: { postId: '1' } };
    // The version we last saw: the append succeeds only if nobody wrote in between.
    const third = await store.appendToStream('post-1', [publishedEvent], { expectedVersion: first.nextExpectedVersion });
    say(`   post-1 ← PostWasPublished   now at version ${third.nextExpectedVersion}, position ${third.lastPosition}`);

    say();
    say('2. Read a stream: one post\'s history, by version.');
    const stream = await store.readStream('post-1');
    for (const e of stream) say(`   post-1 v${e.version}  ${e.type}`);

    say();
    say('3. Read all: every stream, in the order events were recorded.');
    const all: RecordedEvent[] = [];
    for await (const e of store.readAll()) all.push(e);
    for (const e of all) say(`   #${e.position}  ${e.streamId} v${e.version}  ${e.type}`);

    say();
    say('4. Expected version: a writer that read post-1 at version 1 is too late now.');
    const conflict = await appendAsStaleWriter(store);
    say(`   refused: ${conflict.message}`);
    const after = await store.readStream('post-1');
    say(`   post-1 still holds ${after.length} events; the stale writer must read again and decide again.`);

    return { lines, stream, all, conflict };
  } finally {
    await store.close();
  }
}

/** Appends to post-1 as a writer that last saw version 1, and returns the store's refusal. */
async function appendAsStaleWriter(store: EventStore): Promise<ConcurrencyError> {
  const edited: PostEvent = { type: 'PostWasEdited', data: { postId: '1', title: 'Hello again', body: 'The first post.' } };
  try {
    await store.appendToStream('post-1', [edited], { expectedVersion: 1 });
  } catch (error) {
    if (error instanceof ConcurrencyError) return error;
    throw error;
  }
  throw new Error('the stale append was accepted');
}

await tellWhenRun(import.meta.url, main);
