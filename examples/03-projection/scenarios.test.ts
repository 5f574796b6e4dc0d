// The blog's read models told as given events / when a command / then rows, on every
// store. The first two are the scenarios the projection grew from: creating a post
// projects a row, and publishing it updates that row.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventStore } from '../../src/index.js';
import { handlePostCommand, type PostEvent } from '../blog/index.js';
import type { AuthorStatsRow, PostRow } from '../blog/read-side/index.js';
import { caughtUp, givenEvents, rowsOf, withProjections } from '../blog/read-side/testing.js';
import { onEveryStore } from '../../src/testing/index.js';

const hello = { postId: 'hello', title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' };
const created: PostEvent = { type: 'PostWasCreated', data: hello };
const published: PostEvent = { type: 'PostWasPublished', data: { postId: 'hello' } };

/** Then: once the projections have caught up, `posts` holds exactly these rows (times checked apart). */
async function thenPosts(store: EventStore, expected: Partial<PostRow>[]): Promise<PostRow[]> {
  const rows = await rowsOf<PostRow>(store, 'posts', 'post_id');
  assert.deepEqual(
    rows.map(({ created_at: _c, published_at: _p, ...rest }) => rest),
    expected,
  );
  return rows;
}

async function recordedAt(store: EventStore, position: number): Promise<number> {
  for await (const event of store.readAll({ after: position - 1, batchSize: 1 })) return event.recordedAt.getTime();
  throw new Error(`no event at ${position}`);
}

const helloRow = { post_id: 'hello', title: 'Hello, Eventline', title_lower: 'hello, eventline', author_id: 'ada' };

onEveryStore((name) => `the blog's projections on ${name}`, (backend) => {
  test('creating a post projects a row: a draft, never published, at version 1', () =>
    backend.withStore((store) =>
      withProjections(store, async (projections) => {
        const result = await handlePostCommand(store, { type: 'CreatePost', ...hello });

        await projections.waitFor('posts', result.lastPosition);

        const [row] = await thenPosts(store, [{ ...helloRow, status: 'draft', version: 1 }]);
        assert.equal(row!.created_at, await recordedAt(store, result.lastPosition));
        assert.equal(row!.published_at, null);
      }),
    ));

  test('publishing a post updates its row: published, with the time it was published, at version 2', () =>
    backend.withStore(async (store) => {
      await givenEvents(store, created);

      await withProjections(store, async (projections) => {
        const result = await handlePostCommand(store, { type: 'PublishPost', postId: 'hello' });
        await projections.waitFor('posts', result.lastPosition);

        const [row] = await thenPosts(store, [{ ...helloRow, status: 'published', version: 2 }]);
        assert.equal(row!.published_at, await recordedAt(store, result.lastPosition));
      });
    }));

  test('an edit changes the title; unpublishing makes the post a draft again with no publishing time', () =>
    backend.withStore(async (store) => {
      await givenEvents(store, created, published);

      await withProjections(store, async (projections) => {
        await handlePostCommand(store, { type: 'EditPost', postId: 'hello', title: 'Hello AGAIN, Ünïcode' });
        const result = await handlePostCommand(store, { type: 'UnpublishPost', postId: 'hello' });
        await projections.waitFor('posts', result.lastPosition);

        const [row] = await thenPosts(store, [
          { ...helloRow, title: 'Hello AGAIN, Ünïcode', title_lower: 'hello again, ünïcode', status: 'draft', version: 4 },
        ]);
        assert.equal(row!.published_at, null);
      });
    }));

  test('author_stats counts each author\'s posts and published posts, and follows unpublishing', () =>
    backend.withStore(async (store) => {
      await givenEvents(
        store,
        created,
        published,
        { type: 'PostWasCreated', data: { postId: 'second', title: 'Second', body: '', authorId: 'ada' } },
        { type: 'PostWasCreated', data: { postId: 'bo-1', title: 'Bo writes', body: '', authorId: 'bo' } },
        { type: 'PostWasPublished', data: { postId: 'bo-1' } },
      );

      await withProjections(store, async (projections) => {
        await caughtUp(store, projections);
        assert.deepEqual(await rowsOf<AuthorStatsRow>(store, 'author_stats', 'author_id'), [
          { author_id: 'ada', posts: 2, published_posts: 1 },
          { author_id: 'bo', posts: 1, published_posts: 1 },
        ]);

        const result = await handlePostCommand(store, { type: 'UnpublishPost', postId: 'hello' });
        await projections.waitFor('author_stats', result.lastPosition);
        assert.deepEqual((await rowsOf<AuthorStatsRow>(store, 'author_stats', 'author_id'))[0], { author_id: 'ada', posts: 2, published_posts: 0 });
      });
    }));

  test('an inline projection has the row when the command returns, with no waiting', () =>
    backend.withStore((store) =>
      withProjections(
        store,
        async (projections) => {
          await projections.waitFor('posts', 0);
          await handlePostCommand(store, { type: 'CreatePost', ...hello });
          await handlePostCommand(store, { type: 'PublishPost', postId: 'hello' });

          await thenPosts(store, [{ ...helloRow, status: 'published', version: 2 }]);
        },
        ['posts'],
      ),
    ));

  test('rebuilding replays every event into fresh tables and gives the same rows', () =>
    backend.withStore(async (store) => {
      await givenEvents(store, created, published, { type: 'PostWasEdited', data: { postId: 'hello', title: 'Hello twice', body: '' } });

      await withProjections(store, async (projections) => {
        await caughtUp(store, projections);
        const before = await rowsOf<PostRow>(store, 'posts', 'post_id');

        const progress = await projections.rebuild('posts');

        assert.equal(progress.events, 3);
        assert.deepEqual(await rowsOf<PostRow>(store, 'posts', 'post_id'), before);
      });
    }));
});
