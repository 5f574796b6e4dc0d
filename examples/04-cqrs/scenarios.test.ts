// The blog's two sides on every store. Commands change nothing but the events; the
// queries answer from the read models: given rows (or events), when a query, then a
// page. Bad input is refused with a ValidationError naming the field.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError, type EventStore } from '../../src/index.js';
import { postQueries, type PostRow } from '../blog/read-side/index.js';
import { givenPostRows } from '../blog/read-side/testing.js';
import { onEveryStore } from '../../src/testing/index.js';
import { startBlog } from './app.js';

/** Given: the posts table holds these rows, published posts unless a row says otherwise. */
const givenRows = (store: EventStore, rows: Partial<PostRow>[]) => givenPostRows(store, rows, { status: 'published', published_at: 2000, version: 2 });

const ids = (items: { postId: string }[]) => items.map((p) => p.postId);

function isValidationOf(field: string) {
  return (error: unknown) => error instanceof ValidationError && error.field === field;
}

onEveryStore((name) => `the blog's commands and queries on ${name}`, (backend) => {
  test('read-your-writes: after a command sent with readYourWrites, the next query sees it', () =>
    backend.withStore(async (store) => {
      const blog = startBlog(store);
      try {
        await blog.send({ type: 'CreatePost', postId: 'hello', title: 'Hello', body: '…', authorId: 'ada' }, { readYourWrites: true });
        assert.equal((await blog.queries.post('hello'))?.status, 'draft');

        const result = await blog.send({ type: 'PublishPost', postId: 'hello' }, { readYourWrites: true });

        const post = await blog.queries.post('hello');
        assert.equal(post?.status, 'published');
        assert.equal(post?.version, 2);
        assert.deepEqual(ids((await blog.queries.publishedPosts()).items), ['hello']);
        assert.deepEqual(await blog.queries.authorStats('ada'), { authorId: 'ada', posts: 1, publishedPosts: 1 });
        // The write side's answer is the events; their position is what the read side waited for.
        assert.equal(result.events[0]?.type, 'PostWasPublished');
        assert.ok((await blog.projections.status()).every((s) => s.position >= result.lastPosition));
      } finally {
        await blog.stop();
      }
    }));

  test('published posts come newest first, a page at a time, each exactly once, ties broken by post id', () =>
    backend.withStore(async (store) => {
      await givenRows(store, [
        { post_id: 'a', published_at: 3000 },
        { post_id: 'b', published_at: 5000 },
        { post_id: 'c', published_at: 3000 },
        { post_id: 'd', published_at: 3000 },
        { post_id: 'e', status: 'draft', published_at: null },
        { post_id: 'f', published_at: 1000 },
      ]);
      const queries = postQueries(store.readModels);

      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await queries.publishedPosts({ limit: 2, ...(cursor && { cursor }) });
        pages.push(ids(page.items));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);

      assert.deepEqual(pages, [['b', 'd'], ['c', 'a'], ['f']]);
      assert.deepEqual(ids((await queries.publishedPosts({ limit: 100 })).items), ['b', 'd', 'c', 'a', 'f']);
    }));

  test('a new post published between two pages neither shifts nor repeats the next page', () =>
    backend.withStore(async (store) => {
      await givenRows(store, [
        { post_id: 'a', published_at: 1000 },
        { post_id: 'b', published_at: 2000 },
        { post_id: 'c', published_at: 3000 },
      ]);
      const queries = postQueries(store.readModels);
      const first = await queries.publishedPosts({ limit: 2 });

      await givenRows(store, [{ post_id: 'z', published_at: 9000 }]);

      assert.deepEqual(ids(first.items), ['c', 'b']);
      assert.deepEqual(ids((await queries.publishedPosts({ limit: 2, cursor: first.nextCursor! })).items), ['a']);
    }));

  test('an author\'s posts, drafts too, newest first and paged', () =>
    backend.withStore(async (store) => {
      await givenRows(store, [
        { post_id: 'a1', created_at: 1000 },
        { post_id: 'a2', created_at: 2000, status: 'draft', published_at: null },
        { post_id: 'a3', created_at: 3000 },
        { post_id: 'b1', created_at: 4000, author_id: 'bo' },
      ]);
      const queries = postQueries(store.readModels);

      const first = await queries.postsByAuthor({ authorId: 'ada', limit: 2 });
      const second = await queries.postsByAuthor({ authorId: 'ada', limit: 2, cursor: first.nextCursor! });

      assert.deepEqual([ids(first.items), ids(second.items)], [['a3', 'a2'], ['a1']]);
      assert.equal(second.nextCursor, null);
      assert.deepEqual(ids((await queries.postsByAuthor({ authorId: 'nobody' })).items), []);
    }));

  test('title search ignores case, in any script, and takes % and _ literally', () =>
    backend.withStore(async (store) => {
      await givenRows(store, [
        { post_id: 'p1', title: 'Über Events', created_at: 1 },
        { post_id: 'p2', title: '100% sure', created_at: 2 },
        { post_id: 'p3', title: 'snake_case names', created_at: 3 },
        { post_id: 'p4', title: 'Plain', created_at: 4 },
        { post_id: 'p5', title: 'back\\slash', created_at: 5 },
      ]);
      const queries = postQueries(store.readModels);
      const search = async (text: string) => ids(await queries.searchTitles({ text }));

      assert.deepEqual(await search('üBER'), ['p1']);
      assert.deepEqual(await search('EVENTS'), ['p1']);
      assert.deepEqual(await search('%'), ['p2']);
      assert.deepEqual(await search('_'), ['p3']);
      assert.deepEqual(await search('\\'), ['p5']);
      assert.deepEqual(await search('e'), ['p3', 'p2', 'p1']);
      assert.deepEqual(await search('missing'), []);
    }));

  test('bad input is refused with a ValidationError naming the field', () =>
    backend.withStore(async (store) => {
      await givenRows(store, [{ post_id: 'a' }, { post_id: 'b' }]);
      const queries = postQueries(store.readModels);
      const authorCursor = (await queries.postsByAuthor({ authorId: 'ada', limit: 1 })).nextCursor!;
      const bad: [string, string, () => Promise<unknown>][] = [
        ['limit 0', 'limit', () => queries.publishedPosts({ limit: 0 })],
        ['limit 101', 'limit', () => queries.publishedPosts({ limit: 101 })],
        ['a fractional limit', 'limit', () => queries.postsByAuthor({ authorId: 'ada', limit: 1.5 })],
        ['a limit as text', 'limit', () => queries.searchTitles({ text: 'a', limit: '5' as unknown as number })],
        ['a cursor that is not base64url', 'cursor', () => queries.publishedPosts({ cursor: 'not a cursor!' })],
        ['a cursor of other JSON', 'cursor', () => queries.publishedPosts({ cursor: Buffer.from('{"a":1}').toString('base64url') })],
        ['a cursor of another query', 'cursor', () => queries.publishedPosts({ cursor: authorCursor })],
        ['a cursor of another author', 'cursor', () => queries.postsByAuthor({ authorId: 'bo', cursor: authorCursor })],
        ['an empty search', 'text', () => queries.searchTitles({ text: '' })],
        ['a blank search', 'text', () => queries.searchTitles({ text: '   ' })],
        ['no author', 'authorId', () => queries.postsByAuthor({} as { authorId: string })],
        ['an empty post id', 'postId', () => queries.post('')],
      ];
      for (const [what, field, attempt] of bad) await assert.rejects(attempt(), isValidationOf(field), what);
    }));
});
