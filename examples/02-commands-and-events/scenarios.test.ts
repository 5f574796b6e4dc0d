// The four scenarios Eventline's blog grew from, and one race, told as given events /
// when a command / then events or an error, and run on every store.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventStore } from '../../src/index.js';
import { handlePostCommand, postStreamId, type PostEvent } from '../blog/index.js';
import { onEveryStore } from '../../src/testing/index.js';

const hello = { postId: 'hello', title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' };
const created: PostEvent = { type: 'PostWasCreated', data: hello };
const published: PostEvent = { type: 'PostWasPublished', data: { postId: 'hello' } };

/** Given: these events are already in their posts' streams. */
async function given(store: EventStore, ...events: PostEvent[]): Promise<void> {
  for (const event of events) await store.appendToStream(postStreamId(event.data.postId), [event]);
}

/** Then: the post's stream holds exactly these events. */
async function thenStreamOf(store: EventStore, postId: string, expected: PostEvent[]): Promise<void> {
  const events = await store.readStream(postStreamId(postId));
  assert.deepEqual(events.map(({ type, data }) => ({ type, data })), expected);
}

async function countAll(store: EventStore): Promise<number> {
  let count = 0;
  for await (const _ of store.readAll()) count++;
  return count;
}

onEveryStore((name) => `blog commands on ${name}`, (backend) => {
  test('creating a post persists one event', () =>
    backend.withStore(async (store) => {
      await given(store);

      await handlePostCommand(store, { type: 'CreatePost', ...hello });

      await thenStreamOf(store, 'hello', [created]);
    }));

  test('publishing a post appends a second event', () =>
    backend.withStore(async (store) => {
      await given(store, created);

      await handlePostCommand(store, { type: 'PublishPost', postId: 'hello' });

      await thenStreamOf(store, 'hello', [created, published]);
    }));

  test('publishing a published post fails with "Post is already published" and the stream keeps 2 events', () =>
    backend.withStore(async (store) => {
      await given(store, created, published);

      await assert.rejects(handlePostCommand(store, { type: 'PublishPost', postId: 'hello' }), {
        name: 'DomainError',
        message: 'Post is already published',
      });

      await thenStreamOf(store, 'hello', [created, published]);
    }));

  test('publishing a post that does not exist fails with "Post does not exist" and writes nothing', () =>
    backend.withStore(async (store) => {
      await given(store, created);
      const before = await countAll(store);

      await assert.rejects(handlePostCommand(store, { type: 'PublishPost', postId: 'missing' }), {
        name: 'NotFoundError',
        message: 'Post does not exist',
      });

      await thenStreamOf(store, 'missing', []);
      assert.equal(await countAll(store), before);
    }));

  test('two editors publishing the same draft at once: one publishes, the other is told it already is', () =>
    backend.withStore(async (store) => {
      await given(store, created);

      const outcomes = await Promise.allSettled([
        handlePostCommand(store, { type: 'PublishPost', postId: 'hello' }),
        handlePostCommand(store, { type: 'PublishPost', postId: 'hello' }),
      ]);

      assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
      const refused = outcomes.find((o) => o.status === 'rejected');
      assert.equal((refused?.reason as Error).message, 'Post is already published');
      await thenStreamOf(store, 'hello', [created, published]);
    }));
});
