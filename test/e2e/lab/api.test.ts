// The Lab's API on every store, in-process through Fastify's whole pipeline (inject):
// given a blog, when a request, then the answer the UI is written against.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { isUuid } from '../../../src/index.js';
import { onEveryStore } from '../../../src/testing/index.js';
import { assertError, call, eventually, givenAuthor, withLab } from './support.js';

interface CommandAnswer {
  postId: string;
  version: number;
  position: number;
  events: { position: number; streamId: string; version: number; type: string; data: Record<string, unknown>; metadata: unknown; eventId: string; recordedAt: string }[];
}

interface PostJson {
  postId: string;
  title: string;
  authorId: string;
  author: { authorId: string; name?: string; erased?: true; unknown?: true };
  status: string;
  createdAt: string;
  publishedAt: string | null;
  version: number;
}

interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** Each Lab's first author, Ada, registered when its first post needs an author. */
const ada = new WeakMap<FastifyInstance, string>();

async function adaOf(app: FastifyInstance): Promise<string> {
  if (!ada.has(app)) ada.set(app, await givenAuthor(app));
  return ada.get(app)!;
}

/** Given: a post created through the API, by Ada unless `authorId` says. */
async function givenPost(app: FastifyInstance, postId: string, fields: Partial<{ title: string; authorId: string }> = {}): Promise<CommandAnswer> {
  const answer = await call<CommandAnswer>(app, 'POST', '/api/posts', { postId, title: `Title of ${postId}`, body: 'Body.', authorId: await adaOf(app), ...fields });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

onEveryStore((name) => `the Lab's API on ${name}`, (backend) => {
  test("a post's life: each command answers with the events it wrote, and a read right after sees them", () =>
    backend.withStore((store) =>
      withLab(store, async (app) => {
        const created = await givenPost(app, 'hello', { title: 'Hello' });
        assert.equal(created.postId, 'hello');
        assert.equal(created.version, 1);
        assert.deepEqual(created.events.map((e) => [e.streamId, e.version, e.type, e.position]), [['post-hello', 1, 'PostWasCreated', created.position]]);
        const [event] = created.events;
        assert.deepEqual(Object.keys(event!), ['position', 'streamId', 'version', 'type', 'data', 'metadata', 'eventId', 'recordedAt']);
        assert.match(event!.recordedAt, ISO);
        assert.ok(isUuid(event!.eventId));
        const authorId = await adaOf(app);
        assert.deepEqual(event!.data, { postId: 'hello', title: 'Hello', body: 'Body.', authorId });

        const draft = await call<PostJson>(app, 'GET', '/api/posts/hello');
        assert.equal(draft.status, 200);
        assert.deepEqual({ ...draft.body, createdAt: 'ISO' }, {
          postId: 'hello',
          title: 'Hello',
          authorId,
          author: { authorId, name: 'Ada Lovelace' },
          status: 'draft',
          createdAt: 'ISO',
          publishedAt: null,
          version: 1,
        });
        assert.match(draft.body.createdAt, ISO);

        const edited = await call<CommandAnswer>(app, 'PUT', '/api/posts/hello', { title: 'Hello, world' });
        assert.deepEqual([edited.status, edited.body.version, edited.body.events[0]!.type], [200, 2, 'PostWasEdited']);
        assert.equal((await call<PostJson>(app, 'GET', '/api/posts/hello')).body.title, 'Hello, world');

        const published = await call<CommandAnswer>(app, 'POST', '/api/posts/hello/publish');
        assert.deepEqual([published.status, published.body.version, published.body.events[0]!.type], [200, 3, 'PostWasPublished']);
        const shown = (await call<PostJson>(app, 'GET', '/api/posts/hello')).body;
        assert.deepEqual([shown.status, shown.version], ['published', 3]);
        assert.match(shown.publishedAt!, ISO);

        const unpublished = await call<CommandAnswer>(app, 'POST', '/api/posts/hello/unpublish', {});
        assert.deepEqual([unpublished.status, unpublished.body.version], [200, 4]);
        assert.equal((await call<PostJson>(app, 'GET', '/api/posts/hello')).body.status, 'draft');
      }),
    ));

  test('a post without a postId gets a UUIDv7, and a refused command writes nothing', () =>
    backend.withStore((store) =>
      withLab(store, async (app) => {
        const authorId = await adaOf(app);
        const created = await call<CommandAnswer>(app, 'POST', '/api/posts', { title: 'Untitled?', body: '', authorId });
        assert.equal(created.status, 201);
        assert.ok(isUuid(created.body.postId));
        assert.equal(created.body.postId[14], '7', 'a version 7 UUID');
        assert.equal(created.body.events[0]!.streamId, `post-${created.body.postId}`);

        assertError(await call(app, 'POST', '/api/posts', { postId: created.body.postId, title: 'Again', body: '', authorId }), 409, {
          error: 'DOMAIN_RULE_VIOLATED',
          message: /^Post already exists$/,
        });
        assertError(await call(app, 'POST', '/api/posts/nobody/publish'), 404, { error: 'NOT_FOUND', message: /^Post does not exist$/ });
        assertError(await call(app, 'GET', '/api/posts/nobody'), 404, { message: /^Post does not exist$/ });
        assert.equal((await store.stats()).events, 2, 'the author and the post');
      }),
    ));

  test('expectedVersion: the version the caller saw is the one written on, and a stale one is refused with 409', () =>
    backend.withStore((store) =>
      withLab(store, async (app) => {
        const authorId = await adaOf(app);
        assert.equal((await call(app, 'POST', '/api/posts', { postId: 'p', title: 'T', body: 'B', authorId, expectedVersion: 0 })).status, 201);
        assert.equal((await call(app, 'PUT', '/api/posts/p', { body: 'B2', expectedVersion: 1 })).status, 200);

        const stale = await call(app, 'POST', '/api/posts/p/publish', { expectedVersion: 1 });

        assertError(stale, 409, { error: 'CONCURRENCY_CONFLICT' });
        assert.deepEqual(stale.body.details, { streamId: 'post-p', expected: 1, actual: 2 });
        assertError(await call(app, 'POST', '/api/posts', { postId: 'p', title: 'T', body: 'B', authorId, expectedVersion: 0 }), 409, {
          error: 'CONCURRENCY_CONFLICT',
        });
        assert.equal((await call(app, 'POST', '/api/posts/p/publish', { expectedVersion: 2 })).status, 200);
        assert.equal((await store.stats()).events, 4, 'the author and three of the post');
      }),
    ));

  test('the post list: newest first, filtered by status and author, a page at a time', () =>
    backend.withStore((store) =>
      withLab(store, async (app) => {
        const authors = { ada: await adaOf(app), bo: await givenAuthor(app, { name: 'Bo', email: 'bo@example.org' }) };
        for (const [postId, author] of [['a', 'ada'], ['b', 'bo'], ['c', 'ada'], ['d', 'ada']] as const) await givenPost(app, postId, { authorId: authors[author] });
        await call(app, 'POST', '/api/posts/a/publish');
        await call(app, 'POST', '/api/posts/c/publish');

        const ids = (page: Page<PostJson>) => page.items.map((p) => p.postId);
        const first = (await call<Page<PostJson>>(app, 'GET', '/api/posts?limit=3')).body;
        const second = (await call<Page<PostJson>>(app, 'GET', `/api/posts?limit=3&cursor=${first.nextCursor}`)).body;
        // Created in this order; those created in the same millisecond go by post id, descending, which agrees.
        assert.deepEqual([ids(first), ids(second), second.nextCursor], [['d', 'c', 'b'], ['a'], null]);
        assert.deepEqual(ids((await call<Page<PostJson>>(app, 'GET', '/api/posts?status=published')).body), ['c', 'a']);
        assert.deepEqual(ids((await call<Page<PostJson>>(app, 'GET', `/api/posts?status=draft&authorId=${authors.ada}`)).body), ['d']);
        assert.deepEqual(ids((await call<Page<PostJson>>(app, 'GET', '/api/posts?authorId=nobody')).body), []);
        assertError(await call(app, 'GET', '/api/posts?status=deleted'), 400, { field: 'status' });
        assertError(await call(app, 'GET', '/api/posts?limit=0'), 400, { field: 'limit' });
        assertError(await call(app, 'GET', '/api/posts?limit=ten'), 400, { field: 'limit' });
        assertError(await call(app, 'GET', `/api/posts?status=published&cursor=${first.nextCursor}`), 400, { field: 'cursor' });
      }),
    ));

  test("a post's history folds its events up to any version; its snapshot is taken every 5 events", () =>
    backend.withStore((store) =>
      withLab(store, async (app) => {
        await givenPost(app, 'h', { title: 'v1' });
        for (const title of ['v2', 'v3', 'v4']) await call(app, 'PUT', '/api/posts/h', { title });
        assert.deepEqual((await call(app, 'GET', '/api/posts/h/snapshot')).body, { streamVersion: 4, snapshot: null });

        await call(app, 'POST', '/api/posts/h/publish');

        const snapshot = (await call<{ streamVersion: number; snapshot: { version: number; schemaVersion: number; takenAt: string } }>(app, 'GET', '/api/posts/h/snapshot')).body;
        assert.deepEqual([snapshot.streamVersion, snapshot.snapshot.version, snapshot.snapshot.schemaVersion], [5, 5, 1]);
        assert.match(snapshot.snapshot.takenAt, ISO);
        const asOf = async (query: string) => (await call(app, 'GET', `/api/posts/h/history${query}`)).body;
        const authorId = await adaOf(app);
        assert.deepEqual(await asOf('?version=2'), { version: 2, state: { status: 'draft', postId: 'h', title: 'v2', body: 'Body.', authorId } });
        assert.deepEqual(await asOf(''), { version: 5, state: { status: 'published', postId: 'h', title: 'v4', body: 'Body.', authorId } });
        assertError(await call(app, 'GET', '/api/posts/h/history?version=0'), 400, { field: 'version' });
        assertError(await call(app, 'GET', '/api/posts/h/history?version=6'), 400, { field: 'version' });
        assertError(await call(app, 'GET', '/api/posts/nobody/history?version=1'), 404);
        assertError(await call(app, 'GET', '/api/posts/nobody/snapshot'), 404);
      }),
    ));

  test('the log: events after a position, by type, a page at a time; the streams; one stream', () =>
    backend.withStore((store) =>
      withLab(store, async (app) => {
        for (const postId of ['a', 'b', 'c']) await givenPost(app, postId);
        await call(app, 'POST', '/api/posts/b/publish');

        type Events = { events: CommandAnswer['events']; lastPosition: number };
        const all = (await call<Events>(app, 'GET', '/api/events')).body;
        assert.deepEqual(all.events.map((e) => [e.position, e.type]), [[1, 'AuthorRegistered'], [2, 'PostWasCreated'], [3, 'PostWasCreated'], [4, 'PostWasCreated'], [5, 'PostWasPublished']]);
        assert.equal(all.lastPosition, 5);
        const page = (await call<Events>(app, 'GET', '/api/events?after=2&limit=2')).body;
        assert.deepEqual([page.events.map((e) => e.position), page.lastPosition], [[3, 4], 4]);
        const published = (await call<Events>(app, 'GET', '/api/events?type=PostWasPublished')).body;
        assert.deepEqual(published.events.map((e) => e.streamId), ['post-b']);
        const either = (await call<Events>(app, 'GET', '/api/events?type=PostWasPublished&type=PostWasEdited&after=5')).body;
        assert.deepEqual(either, { events: [], lastPosition: 5 });
        assertError(await call(app, 'GET', '/api/events?limit=1001'), 400, { field: 'limit' });
        assertError(await call(app, 'GET', '/api/events?after=-1'), 400, { field: 'after' });

        type Streams = Page<{ streamId: string; version: number }>;
        const first = (await call<Streams>(app, 'GET', '/api/streams?limit=3')).body;
        const rest = (await call<Streams>(app, 'GET', `/api/streams?limit=3&cursor=${first.nextCursor}`)).body;
        assert.deepEqual([...first.items, ...rest.items], [
          { streamId: await adaOf(app), version: 1 },
          { streamId: 'post-a', version: 1 },
          { streamId: 'post-b', version: 2 },
          { streamId: 'post-c', version: 1 },
        ]);
        assert.equal(rest.nextCursor, null);
        assertError(await call(app, 'GET', '/api/streams?cursor=!!'), 400, { field: 'cursor' });

        const stream = (await call<{ streamId: string; version: number; events: CommandAnswer['events'] }>(app, 'GET', '/api/streams/post-b?fromVersion=2')).body;
        assert.deepEqual([stream.streamId, stream.version, stream.events.map((e) => e.type)], ['post-b', 2, ['PostWasPublished']]);
        assertError(await call(app, 'GET', '/api/streams/post-nobody'), 404);
      }),
    ));

  test('projections: status per projection; a rebuild runs in the background, and a second one at the same time is refused', () =>
    backend.withStore((store) =>
      withLab(store, async (app) => {
        for (const postId of ['a', 'b']) await givenPost(app, postId);
        const health = (await call(app, 'GET', '/api/health')).body;
        assert.deepEqual(health, { status: 'ok', store: store.kind, tokenRequired: false, headPosition: 3, outbox: { undelivered: 0, relay: 'off' } });

        type Status = { headPosition: number; projections: { name: string; position: number; lag: number; state: string; error: string | null; active: boolean; rebuild: unknown }[] };
        const status = (await call<Status>(app, 'GET', '/api/projections')).body;
        assert.equal(status.headPosition, 3);
        assert.deepEqual(
          status.projections.map(({ name, position, lag, state, error, active, rebuild }) => ({ name, position, lag, state, error, active, rebuild })),
          ['posts', 'author_stats', 'authors'].map((name) => ({ name, position: 3, lag: 0, state: 'running', error: null, active: true, rebuild: null })),
        );

        const [started, again] = await Promise.all([call(app, 'POST', '/api/projections/posts/rebuild'), call(app, 'POST', '/api/projections/posts/rebuild')]);
        assert.equal(started.status, 202);
        assert.deepEqual(Object.keys(started.body.rebuild as object), ['processed', 'total', 'eventsPerSecond', 'etaSeconds']);
        assertError(again, 409, { error: 'PROJECTION_BUSY' });
        assertError(await call(app, 'POST', '/api/projections/nothing/rebuild'), 404);

        await eventually('the rebuild ends', async () => {
          const posts = (await call<Status>(app, 'GET', '/api/projections')).body.projections.find((p) => p.name === 'posts')!;
          return posts.rebuild === null && posts.state === 'running' ? posts : undefined;
        });
        assert.equal((await call<Page<PostJson>>(app, 'GET', '/api/posts')).body.items.length, 2, 'the rebuilt read model has every post');
      }),
    ));
});
