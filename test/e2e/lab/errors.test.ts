// Every way a request can be wrong, and the answer it gets: JSON `{ status, error,
// message, details }` with the right status, never HTML, never a stack, and nothing written.
// Then the token for writes, and the page and its assets.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openEventStore } from '../../../src/index.js';
import { handleAuthorCommand, newAuthorId } from '../../../examples/blog/index.js';
import { assertError, call, withLab } from './support.js';

/** Every story's author, registered in its store before the Lab starts: the event at position 1. */
const authorId = newAuthorId();
const post = { postId: 'hello', title: 'Hello', body: 'Body.', authorId };

async function onMemory(story: Parameters<typeof withLab>[1], options: Parameters<typeof withLab>[2] = {}): Promise<void> {
  const store = await openEventStore('memory:');
  try {
    await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId, name: 'Ada Lovelace', email: 'ada@example.org' });
    await withLab(store, story, options);
  } finally {
    await store.close();
  }
}

describe('a request the Lab refuses', () => {
  test('a body that breaks the schema: 400 naming the field, for missing, mistyped and unknown fields', () =>
    onMemory(async (app) => {
      const cases: [unknown, string][] = [
        [{ title: 'T', body: 'B' }, 'authorId'],
        [{ ...post, title: 42 }, 'title'],
        [{ ...post, postId: null }, 'postId'],
        [{ ...post, expectedVersion: '0' }, 'expectedVersion'],
        [{ ...post, expectedVersion: 1.5 }, 'expectedVersion'],
        [{ ...post, expectedVersion: -1 }, 'expectedVersion'],
        [{ ...post, published: true }, 'published'],
        [[post], 'body'],
        ['"just a string"', 'body'],
      ];
      for (const [payload, field] of cases) {
        const answer = await call(app, 'POST', '/api/posts', typeof payload === 'string' ? payload : JSON.stringify(payload), { 'content-type': 'application/json' });
        assertError(answer, 400, { error: 'VALIDATION_FAILED', field });
      }
      assertError(await call(app, 'PUT', '/api/posts/hello', { title: 'T', authorId: 'bo' }), 400, { field: 'authorId' });
      assertError(await call(app, 'POST', '/api/posts/hello/publish', { force: true }), 400, { field: 'force' });
      assert.equal(await app.inject({ method: 'GET', url: '/api/health' }).then((r) => r.statusCode), 200);
    }));

  test("values the blog's rules refuse: 400 naming the field", () =>
    onMemory(async (app) => {
      assertError(await call(app, 'POST', '/api/posts', { ...post, title: '   ' }), 400, { field: 'title' });
      assertError(await call(app, 'POST', '/api/posts', { ...post, postId: 'has space' }), 400, { field: 'postId' });
      assertError(await call(app, 'POST', '/api/posts', { ...post, authorId: 'x'.repeat(101) }), 400, { field: 'authorId' });
      assertError(await call(app, 'POST', '/api/posts', { ...post, body: 'x'.repeat(100_001) }), 400, { field: 'body' });
      assertError(await call(app, 'PUT', '/api/posts/hello', {}), 400, { field: 'title' });
    }));

  test('commands the rules refuse: 404 for a missing post, 409 for a refused change', () =>
    onMemory(async (app) => {
      assertError(await call(app, 'PUT', '/api/posts/hello', { title: 'New' }), 404, { error: 'NOT_FOUND', message: /^Post does not exist$/ });
      await call(app, 'POST', '/api/posts', post);
      await call(app, 'POST', '/api/posts/hello/publish');
      assertError(await call(app, 'POST', '/api/posts/hello/publish'), 409, { error: 'DOMAIN_RULE_VIOLATED', message: /^Post is already published$/ });
      assertError(await call(app, 'PUT', '/api/posts/hello', { title: 'Hello' }), 409, { message: /^Edit changes nothing$/ });
    }));

  test('the body itself: broken JSON 400, another content type 415, too large 413; a 100,000-character body fits', () =>
    onMemory(async (app) => {
      const json = { 'content-type': 'application/json' };
      assertError(await call(app, 'POST', '/api/posts', '{"title": "T",', json), 400, { error: 'BAD_JSON' });
      assertError(await call(app, 'POST', '/api/posts', '{"__proto__": {"x": 1}}', json), 400, { error: 'BAD_JSON' });
      assertError(await call(app, 'POST', '/api/posts', '', json), 400, { field: 'body' });
      assertError(await call(app, 'POST', '/api/posts', JSON.stringify(post), { 'content-type': 'text/plain' }), 415, { error: 'UNSUPPORTED_MEDIA_TYPE' });
      assertError(await call(app, 'POST', '/api/posts', 'title=T', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
      assertError(await call(app, 'POST', '/api/posts', JSON.stringify({ ...post, body: 'x'.repeat(2_000_000) }), json), 413, { error: 'PAYLOAD_TOO_LARGE' });

      // The longest body the blog takes, in four-byte characters, escaped or not.
      const longest = '😀'.repeat(100_000);
      assert.equal((await call(app, 'POST', '/api/posts', { ...post, body: longest })).status, 201);
      assert.equal((await call(app, 'PUT', '/api/posts/hello', JSON.stringify({ body: '\u0001'.repeat(100_000) }), json)).status, 200);
    }));

  test('publishing needs no body: none at all, an empty one, or {}', () =>
    onMemory(async (app) => {
      await call(app, 'POST', '/api/posts', post);
      assert.equal((await app.inject({ method: 'POST', url: '/api/posts/hello/publish' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'POST', url: '/api/posts/hello/unpublish', headers: { 'content-type': 'application/json' }, payload: '' })).statusCode, 200);
      assert.equal((await call(app, 'POST', '/api/posts/hello/publish', {})).status, 200);
    }));

  test('unknown routes and methods: 404 as JSON', () =>
    onMemory(async (app) => {
      assertError(await call(app, 'GET', '/api/nothing'), 404, { error: 'NOT_FOUND' });
      assertError(await call(app, 'DELETE', '/api/posts/hello'), 404);
      assertError(await call(app, 'GET', '/api/posts/hello/publish'), 404);
      assertError(await call(app, 'GET', '/api/posts/%E0%A4%A'), 400);
    }));

  test('refused requests wrote nothing', () =>
    onMemory(async (app) => {
      await call(app, 'POST', '/api/posts', { ...post, title: 42 });
      await call(app, 'POST', '/api/posts', '{"title"', { 'content-type': 'application/json' });
      await call(app, 'POST', '/api/posts/hello/publish');
      assert.equal((await call(app, 'GET', '/api/health')).body.headPosition, 1, 'only the author');
    }));
});

describe('with a token', () => {
  const token = 's3cret-token';

  test('writes without it, or with another, get 401; with it they pass; reads need none', () =>
    onMemory(
      async (app) => {
        assertError(await call(app, 'POST', '/api/posts', post), 401, { error: 'UNAUTHORIZED' });
        const wrong = await call(app, 'POST', '/api/posts', post, { authorization: 'Bearer nope' });
        assertError(wrong, 401);
        assert.equal(wrong.headers['www-authenticate'], 'Bearer');
        assertError(await call(app, 'POST', '/api/projections/posts/rebuild', undefined, { authorization: token }), 401);
        const health = (await call(app, 'GET', '/api/health')).body;
        assert.deepEqual([health.headPosition, health.tokenRequired], [1, true], 'nothing written after the author; the page learns a token is needed');

        assert.equal((await call(app, 'POST', '/api/posts', post, { authorization: `Bearer ${token}` })).status, 201);
        assert.equal((await call(app, 'PUT', '/api/posts/hello', { title: 'New' }, { authorization: `Bearer ${token}` })).status, 200);
        assert.equal((await call(app, 'GET', '/api/posts/hello')).body.title, 'New');
      },
      { token },
    ));
});

describe('the page', () => {
  const empty = mkdtempSync(join(tmpdir(), 'eventline-lab-ui-'));
  after(() => rmSync(empty, { recursive: true, force: true }));

  test('/ serves the built page and /assets/* its files, with their content types', () =>
    onMemory(
      async (app) => {
        const page = await app.inject({ method: 'GET', url: '/' });
        assert.equal(page.statusCode, 200);
        assert.match(String(page.headers['content-type']), /^text\/html/);
        assert.match(page.body, /<div id="fixture">/);
        const script = await app.inject({ method: 'GET', url: '/assets/app.js' });
        assert.deepEqual([script.statusCode, script.headers['content-type'], script.body], [200, 'text/javascript; charset=utf-8', 'export {};\n']);
        assert.equal((await app.inject({ method: 'GET', url: '/assets/app.css' })).headers['content-type'], 'text/css; charset=utf-8');
      },
      { uiDir: FIXTURE_UI },
    ));

  test('nothing outside the assets folder is served', () =>
    onMemory(
      async (app) => {
        for (const url of ['/assets/../index.html', '/assets/..%2findex.html', '/assets/..%2f..%2f..%2fpackage.json', '/assets/%2e%2e/index.html', '/assets/', '/assets/missing.js', '/assets/app.js%00.css', '/index.html']) {
          assertError(await call(app, 'GET', url), 404);
        }
      },
      { uiDir: FIXTURE_UI },
    ));

  test('without a build, / says to run npm run build', () =>
    onMemory(
      async (app) => {
        const page = await app.inject({ method: 'GET', url: '/' });
        assert.equal(page.statusCode, 200);
        assert.match(String(page.headers['content-type']), /^text\/html/);
        assert.match(page.body, /npm run build/);
      },
      { uiDir: empty },
    ));
});

const FIXTURE_UI = join(import.meta.dirname, 'fixtures', 'ui');
