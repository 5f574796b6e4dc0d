// The post aggregate's scenarios, told as given events / when a method and a save /
// then the stream, and run on every store.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConcurrencyError, everyNEvents, type EventStore } from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import { POST_SNAPSHOT_SCHEMA_VERSION, postRepository, postStreamId, type PostEvent } from '../blog/index.js';

const hello = { postId: 'hello', title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' };
const created: PostEvent = { type: 'PostWasCreated', data: hello };
const published: PostEvent = { type: 'PostWasPublished', data: { postId: 'hello' } };
const edited = (title: string): PostEvent => ({ type: 'PostWasEdited', data: { postId: 'hello', title, body: hello.body } });

async function given(store: EventStore, ...events: PostEvent[]): Promise<void> {
  for (const event of events) await store.appendToStream(postStreamId(event.data.postId), [event]);
}

async function thenStreamOf(store: EventStore, postId: string, expected: PostEvent[]): Promise<void> {
  const events = await store.readStream(postStreamId(postId));
  assert.deepEqual(events.map(({ type, data }) => ({ type, data })), expected);
}

onEveryStore((name) => `the post aggregate on ${name}`, (backend) => {
  test('creating and publishing a post in one save appends both events at versions 1 and 2', () =>
    backend.withStore(async (store) => {
      const posts = postRepository(store);
      const post = await posts.load('hello');

      post.create({ title: hello.title, body: hello.body, authorId: hello.authorId });
      post.publish();
      await posts.save(post);

      await thenStreamOf(store, 'hello', [created, published]);
      assert.equal(post.version, 2);
    }));

  test('a post loaded from its events refuses to be published twice, and nothing is written', () =>
    backend.withStore(async (store) => {
      await given(store, created, published);
      const posts = postRepository(store);
      const post = await posts.load('hello');

      assert.throws(() => post.publish(), { name: 'DomainError', message: 'Post is already published' });
      await posts.save(post);

      await thenStreamOf(store, 'hello', [created, published]);
    }));

  test('a stale save is refused with a ConcurrencyError and writes nothing', () =>
    backend.withStore(async (store) => {
      await given(store, created);
      const posts = postRepository(store);
      const first = await posts.load('hello');
      const second = await posts.load('hello');
      first.edit({ title: 'First' });
      second.edit({ title: 'Second' });

      await posts.save(first);
      await assert.rejects(posts.save(second), ConcurrencyError);

      await thenStreamOf(store, 'hello', [created, edited('First')]);
    }));

  test('with snapshots, a post edited 30 times loads the same as from its events, from a snapshot', () =>
    backend.withStore(async (store) => {
      await given(store, created);
      const snapshots = { schemaVersion: POST_SNAPSHOT_SCHEMA_VERSION, policy: everyNEvents(10) };
      const withSnapshots = postRepository(store, snapshots);
      for (let i = 1; i <= 30; i++) {
        const post = await withSnapshots.load('hello');
        post.edit({ title: `Draft ${i}` });
        await withSnapshots.save(post);
      }

      const fromSnapshot = await withSnapshots.load('hello');
      const fromEvents = await postRepository(store).load('hello');

      assert.deepEqual([fromSnapshot.state, fromSnapshot.version], [fromEvents.state, fromEvents.version]);
      // Versions 2..31 were saved; the stream was 10 past the last snapshot at 10, 20 and 30.
      assert.equal((await store.snapshots.load(postStreamId('hello')))?.version, 30);
    }));
});
