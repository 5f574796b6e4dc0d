// Querying the blog on every store: the events asked directly, and the blog as it was
// at a position or a time, told as given events / when a query / then an answer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findEvents, projectionAsOf, ValidationError, type EventStore, type RecordedEvent } from '../../src/index.js';
import { handlePostCommand, postStreamId, type PostEvent } from '../blog/index.js';
import { postAsOf, postsAsOf, postsChangedBetween, postsProjection, type PostRow } from '../blog/read-side/index.js';
import { caughtUp, givenEvents, rowsOf, withProjections } from '../blog/read-side/testing.js';
import { onEveryStore } from '../../src/testing/index.js';

const created = (postId: string, authorId = 'ada'): PostEvent => ({ type: 'PostWasCreated', data: { postId, title: `About ${postId}`, body: '…', authorId } });
const published = (postId: string): PostEvent => ({ type: 'PostWasPublished', data: { postId } });
const edited = (postId: string, title: string): PostEvent => ({ type: 'PostWasEdited', data: { postId, title, body: '…' } });

const positions = (events: RecordedEvent[]) => events.map((e) => e.position);

/** Given these events, then the time now, a gap of a few milliseconds on each side. */
async function givenThenMark(store: EventStore, ...events: PostEvent[]): Promise<Date> {
  await givenEvents(store, ...events);
  await sleep(20);
  const mark = new Date();
  await sleep(20);
  return mark;
}

onEveryStore((name) => `querying the blog on ${name}`, (backend) => {
  test('the events answer by stream, type, category, position range, time range and correlation id', () =>
    backend.withStore(async (store) => {
      const mark = await givenThenMark(store, created('a'), created('b'), published('a'));
      await store.appendToStream('comment-1', [{ type: 'CommentWasAdded', data: { postId: 'a' }, metadata: { correlationId: 'req-9' } }]);
      await store.appendToStream(postStreamId('b'), [{ type: 'PostWasPublished', data: { postId: 'b' }, metadata: { correlationId: 'req-9' } }]);

      assert.deepEqual(positions(await findEvents(store, { streamId: postStreamId('a') })), [1, 3]);
      assert.deepEqual(positions(await findEvents(store, { types: ['PostWasPublished'] })), [3, 5]);
      assert.deepEqual(positions(await findEvents(store, { category: 'post' })), [1, 2, 3, 5]);
      assert.deepEqual(positions(await findEvents(store, { category: 'comment' })), [4]);
      assert.deepEqual(positions(await findEvents(store, { after: 1, before: 4 })), [2, 3]);
      assert.deepEqual(positions(await findEvents(store, { recordedFrom: mark })), [4, 5]);
      assert.deepEqual(positions(await findEvents(store, { recordedTo: mark })), [1, 2, 3]);
      assert.deepEqual(positions(await findEvents(store, { correlationId: 'req-9' })), [4, 5]);
      assert.deepEqual(positions(await findEvents(store, { correlationId: 'req-9', category: 'post' })), [5]);
      assert.deepEqual(positions(await findEvents(store, { category: 'post', limit: 2 })), [1, 2]);
    }));

  test('a stream query applies the same filters as the log', () =>
    backend.withStore(async (store) => {
      const mark = await givenThenMark(store, created('a'), published('a'));
      await store.appendToStream(postStreamId('a'), [{ ...edited('a', 'Later'), metadata: { correlationId: 'req-1' } }]);
      const stream = postStreamId('a');

      assert.deepEqual(positions(await findEvents(store, { streamId: stream, types: ['PostWasPublished', 'PostWasEdited'] })), [2, 3]);
      assert.deepEqual(positions(await findEvents(store, { streamId: stream, after: 1, before: 3 })), [2]);
      assert.deepEqual(positions(await findEvents(store, { streamId: stream, recordedFrom: mark })), [3]);
      assert.deepEqual(positions(await findEvents(store, { streamId: stream, correlationId: 'req-1' })), [3]);
      assert.deepEqual(positions(await findEvents(store, { streamId: stream, limit: 1 })), [1]);
      assert.deepEqual(positions(await findEvents(store, { streamId: 'post-missing' })), []);
    }));

  test('as of each position, a post is its events folded up to there', () =>
    backend.withStore(async (store) => {
      await givenEvents(store, created('a'), created('b'), published('a'), edited('a', 'Renamed'));

      const at = async (position: number) => (await postAsOf(store, 'a', { position })).state;

      assert.deepEqual(await at(0), { status: 'absent' });
      assert.equal((await at(1)).status, 'draft');
      assert.equal((await at(2)).status, 'draft');
      assert.deepEqual(await at(3), { status: 'published', postId: 'a', title: 'About a', body: '…', authorId: 'ada' });
      assert.deepEqual(await postAsOf(store, 'a', { position: 99 }), {
        state: { status: 'published', postId: 'a', title: 'Renamed', body: '…', authorId: 'ada' },
        version: 3,
        position: 4,
      });
    }));

  test('as of a time, the read model is replayed up to there, and the live table is not touched', () =>
    backend.withStore(async (store) => {
      const mark = await givenThenMark(store, created('a'), created('b'));
      await withProjections(store, async (projections) => {
        await handlePostCommand(store, { type: 'PublishPost', postId: 'a' });
        await handlePostCommand(store, { type: 'EditPost', postId: 'b', title: 'Better' });
        await caughtUp(store, projections);
        const live = await rowsOf<PostRow>(store, 'posts', 'post_id');
        const status = await projections.status();

        const then = await postsAsOf(store, { time: mark });

        assert.deepEqual(then.rows.map((r) => [r.post_id, r.status, r.title, r.version]), [
          ['a', 'draft', 'About a', 1],
          ['b', 'draft', 'About b', 1],
        ]);
        assert.deepEqual([then.events, then.position, then.key], [2, 2, ['post_id']]);
        assert.deepEqual(await rowsOf<PostRow>(store, 'posts', 'post_id'), live);
        assert.deepEqual(await projections.status(), status);
        // Now, replayed, is what the live projection has.
        assert.deepEqual((await postsAsOf(store, { time: new Date() })).rows, live);
      });
    }));

  test('between two points, the posts added and changed', () =>
    backend.withStore(async (store) => {
      await givenEvents(store, created('a'), created('b'), published('a'), created('c'), edited('b', 'Better'));

      const diff = await postsChangedBetween(store, { position: 2 }, { position: 5 });

      assert.deepEqual(diff.added.map((r) => r.post_id), ['c']);
      assert.deepEqual(diff.removed, []);
      assert.deepEqual(diff.changed.map((c) => [c.key, c.columns]), [
        [{ post_id: 'a' }, ['status', 'published_at', 'version']],
        [{ post_id: 'b' }, ['title', 'title_lower', 'version']],
      ]);
      assert.deepEqual(await postsChangedBetween(store, { position: 5 }, { position: 5 }), { added: [], removed: [], changed: [] });
      assert.deepEqual((await postsChangedBetween(store, { position: 5 }, { position: 2 })).removed.map((r) => r.post_id), ['c']);
    }));

  test('bad questions are refused with a ValidationError naming the field', () =>
    backend.withStore(async (store) => {
      await givenEvents(store, created('a'));
      const bad: [string, string, () => Promise<unknown>][] = [
        ['a category with a dash', 'category', () => findEvents(store, { category: 'post-a' })],
        ['a category and a stream', 'category', () => findEvents(store, { category: 'post', streamId: 'post-a' })],
        ['an empty stream id', 'streamId', () => findEvents(store, { streamId: '' })],
        ['a limit of 0', 'limit', () => findEvents(store, { limit: 0 })],
        ['an invalid recordedFrom', 'recordedFrom', () => findEvents(store, { recordedFrom: new Date('x') })],
        ['a before of 0', 'before', () => findEvents(store, { streamId: 'post-a', before: 0 })],
        ['neither a position nor a time', 'at', () => postsAsOf(store, {} as { position: number })],
        ['both a position and a time', 'at', () => postsAsOf(store, { position: 1, time: new Date() } as { position: number })],
        ['a negative position', 'position', () => postAsOf(store, 'a', { position: -1 })],
        ['an invalid time', 'time', () => postsAsOf(store, { time: new Date(NaN) })],
        ['a table the projection does not own', 'table', () => projectionAsOf(store, postsProjection, { position: 1 }, { table: 'author_stats' })],
      ];
      for (const [what, field, attempt] of bad) {
        await assert.rejects(attempt(), (e) => e instanceof ValidationError && e.field === field, what);
      }
    }));
});
