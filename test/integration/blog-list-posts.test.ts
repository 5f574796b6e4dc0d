// The blog's general post list on every store: given rows in the posts read model,
// when listPosts with filters and a page size, then the posts, newest first, each
// exactly once. Bad input is refused with a ValidationError naming the field.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import { postQueries, type ListPostsOptions, type PostQueries, type PostRow } from '../../examples/blog/read-side/index.js';
import { givenPostRows as givenRows } from '../../examples/blog/read-side/testing.js';

const ids = (items: { postId: string }[]) => items.map((p) => p.postId);

/** Every page of the list, following nextCursor to the end. */
async function allPages(queries: PostQueries, options: ListPostsOptions): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await queries.listPosts({ ...options, ...(cursor && { cursor }) });
    pages.push(ids(page.items));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

const rows: Partial<PostRow>[] = [
  { post_id: 'a', created_at: 1000, status: 'published', published_at: 5000 },
  { post_id: 'b', created_at: 2000 },
  { post_id: 'c', created_at: 2000, author_id: 'bo', status: 'published', published_at: 3000 },
  { post_id: 'd', created_at: 2000, status: 'published', published_at: 4000 },
  { post_id: 'e', created_at: 3000, author_id: 'bo' },
];

onEveryStore((name) => `listPosts on ${name}`, (backend) => {
  test('without filters: every post, drafts too, newest created first, ties broken by post id, a page at a time', () =>
    backend.withStore(async (store) => {
      await givenRows(store, rows);
      const queries = postQueries(store.readModels);

      assert.deepEqual(await allPages(queries, { limit: 2 }), [['e', 'd'], ['c', 'b'], ['a']]);
      assert.deepEqual(ids((await queries.listPosts()).items), ['e', 'd', 'c', 'b', 'a']);
    }));

  test('by status, by author, and by both', () =>
    backend.withStore(async (store) => {
      await givenRows(store, rows);
      const queries = postQueries(store.readModels);

      assert.deepEqual(await allPages(queries, { status: 'published', limit: 2 }), [['d', 'c'], ['a']]);
      assert.deepEqual(await allPages(queries, { status: 'draft' }), [['e', 'b']]);
      assert.deepEqual(await allPages(queries, { authorId: 'ada', limit: 1 }), [['d'], ['b'], ['a']]);
      assert.deepEqual(await allPages(queries, { authorId: 'bo', status: 'published' }), [['c']]);
      assert.deepEqual(await allPages(queries, { authorId: 'nobody' }), [[]]);
    }));

  test('a post created between two pages neither shifts nor repeats the next page', () =>
    backend.withStore(async (store) => {
      await givenRows(store, rows);
      const queries = postQueries(store.readModels);
      const first = await queries.listPosts({ limit: 3 });

      await givenRows(store, [{ post_id: 'z', created_at: 9000 }]);

      assert.deepEqual(ids(first.items), ['e', 'd', 'c']);
      assert.deepEqual(ids((await queries.listPosts({ limit: 3, cursor: first.nextCursor! })).items), ['b', 'a']);
    }));

  test('bad input is refused with a ValidationError naming the field', () =>
    backend.withStore(async (store) => {
      await givenRows(store, rows);
      const queries = postQueries(store.readModels);
      const draftsCursor = (await queries.listPosts({ status: 'draft', limit: 1 })).nextCursor!;
      const publishedCursor = (await queries.publishedPosts({ limit: 1 })).nextCursor!;
      const bad: [string, string, () => Promise<unknown>][] = [
        ['an unknown status', 'status', () => queries.listPosts({ status: 'deleted' as never })],
        ['an empty author', 'authorId', () => queries.listPosts({ authorId: '' })],
        ['limit 0', 'limit', () => queries.listPosts({ limit: 0 })],
        ['limit 101', 'limit', () => queries.listPosts({ limit: 101 })],
        ['a cursor that is not one', 'cursor', () => queries.listPosts({ cursor: 'nope!' })],
        ['a cursor of the list with other filters', 'cursor', () => queries.listPosts({ status: 'published', cursor: draftsCursor })],
        ['a cursor of another query', 'cursor', () => queries.listPosts({ cursor: publishedCursor })],
      ];
      for (const [what, field, attempt] of bad) {
        await assert.rejects(attempt(), (error: unknown) => error instanceof ValidationError && error.field === field, what);
      }
    }));
});
