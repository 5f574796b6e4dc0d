// The Lab's faces of erasure on every store, in-process, on a store opened as the Lab
// opens it (personal data sealed): an author registered, read, exported, forgotten (a
// receipt, the same one again on a second forget), then shown as erased by themselves
// and by their posts. Every bad input: its status and JSON body, which never repeats a
// name or an email, and nothing written. The request log never holds one either.

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../../src/index.js';
import { newAuthorId } from '../../../examples/blog/index.js';
import type { AuthorJson, ErasureReceiptJson, PostJson, SubjectExportJson } from '../../../lab/api-types.js';
import { assertError, call, onEveryPrivateStore, type Answer } from './support.js';

const NAME = 'Quill Canary-4be1';
const EMAIL = 'quill.canary-4be1@example.org';

interface Registered {
  authorId: string;
  version: number;
  position: number;
  events: { type: string; streamId: string }[];
}

const head = async (store: EventStore) => (await store.stats()).events;

/** Then: refused with this status, the body naming no personal data, and nothing written. */
async function refused(store: EventStore, send: () => Promise<Answer>, status: number, expected: Parameters<typeof assertError>[2] = {}): Promise<Answer> {
  const before = await head(store);
  const answer = await send();
  assertError(answer, status, expected);
  const text = JSON.stringify(answer.body);
  for (const secret of [NAME, EMAIL]) assert.ok(!text.includes(secret), `the refusal does not repeat personal data: ${text}`);
  assert.equal(await head(store), before, 'nothing written');
  return answer;
}

async function register(app: FastifyInstance, body: Record<string, unknown> = {}): Promise<Registered> {
  const answer = await call<Registered>(app, 'POST', '/api/authors', { name: NAME, email: EMAIL, ...body });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

onEveryPrivateStore((name) => `the Lab's authors on ${name}`, (withPrivateLab) => {
  test('registered, read, exported, forgotten (the same receipt twice), then erased for themselves and their posts', () =>
    withPrivateLab(async (app, store) => {
      const registered = await register(app);
      assert.match(registered.authorId, /^author-[0-9a-f-]{36}$/);
      assert.deepEqual(registered.events.map((e) => [e.type, e.streamId]), [['AuthorRegistered', registered.authorId]]);
      const { authorId } = registered;

      assert.deepEqual((await call<AuthorJson>(app, 'GET', `/api/authors/${authorId}`)).body, { authorId, name: NAME, email: EMAIL });
      const listed = (await call<{ items: AuthorJson[]; nextCursor: string | null }>(app, 'GET', '/api/authors')).body;
      assert.deepEqual(listed, { items: [{ authorId, name: NAME, email: EMAIL }], nextCursor: null });

      const created = await call<{ postId: string }>(app, 'POST', '/api/posts', { postId: 'by-quill', title: 'Quill writes', body: '…', authorId });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual((await call<PostJson>(app, 'GET', '/api/posts/by-quill')).body.author, { authorId, name: NAME });

      const exported = await call<SubjectExportJson>(app, 'GET', `/api/authors/${authorId}/export`);
      assert.equal(exported.status, 200);
      assert.equal(exported.body.forgotten.length, 0);
      assert.deepEqual(exported.body.fields.map((f) => [f.type, f.path, f.category, f.value]), [
        ['AuthorRegistered', 'name', 'profile', NAME],
        ['AuthorRegistered', 'email', 'contact', EMAIL],
      ]);

      const forgotten = await call<{ authorId: string; receipt: ErasureReceiptJson }>(app, 'POST', `/api/authors/${authorId}/forget`);
      assert.equal(forgotten.status, 200, JSON.stringify(forgotten.body));
      assert.equal(forgotten.body.authorId, authorId);
      assert.deepEqual(Object.keys(forgotten.body.receipt).sort(), ['at', 'categories', 'keyIds', 'mac', 'subjectHash']);
      assert.equal(forgotten.body.receipt.subjectHash, exported.body.subjectHash);
      assert.equal(forgotten.body.receipt.keyIds.length, 2, "the author's two data keys destroyed");
      const written = await head(store);

      const again = await call<{ authorId: string; receipt: ErasureReceiptJson }>(app, 'POST', `/api/authors/${authorId}/forget`, {});
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, forgotten.body, 'the same receipt');
      assert.equal(await head(store), written, 'a second forget writes nothing');

      assert.deepEqual((await call(app, 'GET', `/api/authors/${authorId}`)).body, { authorId, erased: true });
      assert.deepEqual((await call(app, 'GET', '/api/authors')).body.items, [{ authorId, erased: true }]);
      assert.deepEqual((await call<{ items: PostJson[] }>(app, 'GET', '/api/posts')).body.items.map((p) => p.author), [{ authorId, erased: true }]);
      assert.deepEqual((await call<PostJson>(app, 'GET', '/api/posts/by-quill')).body.author, { authorId, erased: true });
      const after = (await call<SubjectExportJson>(app, 'GET', `/api/authors/${authorId}/export`)).body;
      assert.equal(after.forgotten, 'all');
      assert.ok(after.fields.every((f) => f.erased === true && !('value' in f)), 'nothing readable left to export');
      const text = JSON.stringify(await store.readStream(authorId));
      assert.ok(!text.includes(NAME) && !text.includes(EMAIL), 'the stream reads as erased');
    }));

  test('an authorId of its own is kept; the list goes a page at a time', () =>
    withPrivateLab(async (app) => {
      const ids = [newAuthorId(), newAuthorId(), newAuthorId()].sort();
      for (const authorId of ids) assert.equal((await register(app, { authorId })).authorId, authorId);
      const first = (await call<{ items: AuthorJson[]; nextCursor: string | null }>(app, 'GET', '/api/authors?limit=2')).body;
      const rest = (await call<{ items: AuthorJson[]; nextCursor: string | null }>(app, 'GET', `/api/authors?limit=2&after=${first.nextCursor}`)).body;
      assert.deepEqual([...first.items, ...rest.items].map((a) => a.authorId), ids);
      assert.equal(rest.nextCursor, null);
    }));

  test('bad input is refused with its status and a JSON body that repeats no name or email, and writes nothing', () =>
    withPrivateLab(async (app, store) => {
      const send = (method: 'GET' | 'POST', url: string, body?: unknown) => () => call(app, method, url, body);
      const { authorId } = await register(app);
      const unknown = newAuthorId();

      await refused(store, send('POST', '/api/authors', { name: '   ', email: EMAIL }), 400, { error: 'VALIDATION_FAILED', field: 'name' });
      await refused(store, send('POST', '/api/authors', { name: `${NAME}\n`.repeat(2), email: EMAIL }), 400, { field: 'name' });
      await refused(store, send('POST', '/api/authors', { name: 'x'.repeat(101), email: EMAIL }), 400, { field: 'name' });
      await refused(store, send('POST', '/api/authors', { name: NAME, email: NAME }), 400, { field: 'email' });
      await refused(store, send('POST', '/api/authors', { name: NAME }), 400, { field: 'email' });
      await refused(store, send('POST', '/api/authors', { name: NAME, email: 42 }), 400, { field: 'email' });
      await refused(store, send('POST', '/api/authors', { name: NAME, email: EMAIL, nickname: NAME }), 400, { field: 'nickname' });
      await refused(store, send('POST', '/api/authors', { authorId: EMAIL, name: NAME, email: EMAIL }), 400, { field: 'authorId', message: /surrogate id/ });
      await refused(store, send('POST', '/api/authors', { authorId, name: NAME, email: EMAIL }), 409, { error: 'DOMAIN_RULE_VIOLATED', message: /^Author already exists$/ });

      await refused(store, send('GET', `/api/authors/${unknown}`), 404, { error: 'NOT_FOUND', message: /^Author does not exist$/ });
      await refused(store, send('GET', `/api/authors/${encodeURIComponent(EMAIL)}`), 400, { field: 'authorId' });
      await refused(store, send('GET', `/api/authors/${unknown}/export`), 404, { error: 'NOT_FOUND' });
      await refused(store, send('GET', `/api/authors/${encodeURIComponent(EMAIL)}/export`), 400, { field: 'authorId' });
      await refused(store, send('POST', `/api/authors/${unknown}/forget`), 404, { error: 'NOT_FOUND', message: /^Author does not exist$/ });
      await refused(store, send('POST', `/api/authors/${encodeURIComponent(EMAIL)}/forget`), 400, { field: 'authorId' });
      await refused(store, send('POST', `/api/authors/${authorId}/forget`, { now: true }), 400, { field: 'now' });
      await refused(store, send('GET', '/api/authors?limit=0'), 400, { field: 'limit' });

      const post = (by: string) => ({ postId: 'p', title: 'T', body: 'B', authorId: by });
      await refused(store, send('POST', '/api/posts', post(unknown)), 404, { error: 'NOT_FOUND', message: /^Author does not exist$/ });
      await refused(store, send('POST', '/api/posts', post('ada')), 400, { field: 'authorId' });
      await refused(store, send('POST', '/api/posts', post(EMAIL)), 400, { field: 'authorId' });
      // The post's own values are checked before its author.
      await refused(store, send('POST', '/api/posts', { ...post(unknown), title: ' ' }), 400, { field: 'title' });
      assert.equal((await call(app, 'POST', `/api/authors/${authorId}/forget`)).status, 200);
      await refused(store, send('POST', '/api/posts', post(authorId)), 409, { error: 'DOMAIN_RULE_VIOLATED', message: /^Author was forgotten$/ });
      await refused(store, send('POST', '/api/authors', { authorId, name: NAME, email: EMAIL }), 409, { message: /^Author already exists$/ });
    }));

  test('the request log holds no name and no email, even typed where an author id goes', async () => {
    const log = new PassThrough();
    let lines = '';
    log.setEncoding('utf8').on('data', (chunk: string) => (lines += chunk));
    await withPrivateLab(
      async (app) => {
        const { authorId } = await register(app);
        for (const url of [`/api/authors/${authorId}`, `/api/authors/${authorId}/export`, `/api/authors/${encodeURIComponent(EMAIL)}`, `/api/authors/${EMAIL}/export`, `/api/authors/${EMAIL}/nothing`]) {
          await call(app, 'GET', url);
        }
        await call(app, 'POST', '/api/authors', { name: NAME, email: 'not an email' });
        await call(app, 'POST', `/api/authors/${authorId}/forget`);
        assert.ok(lines.includes(`"path":"/api/authors/${authorId}/export"`), 'a surrogate id is logged in its path');
      },
      { logger: log },
    );
    const requests = lines.split('\n').filter((line) => line.includes('"msg":"request"'));
    assert.equal(requests.length, 8, lines);
    for (const secret of [NAME, EMAIL, encodeURIComponent(EMAIL), 'canary']) assert.ok(!lines.toLowerCase().includes(secret.toLowerCase()), `the log holds no ${secret}`);
  });
});
