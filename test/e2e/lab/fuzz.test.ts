// Fuzzing the Lab: 10,000 malformed or random requests (broken JSON, wrong types, huge
// strings, unknown fields, wrong methods, random paths and headers) mixed with valid
// commands, in-process on a SQLite file. Then: no answer was a 5xx, every refusal was
// JSON with `error` and `message`, and the store holds exactly the events the accepted
// commands reported, so no bad request wrote anything. The PRNG is seeded
// (LAB_FUZZ_SEED=… to replay a failure).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { openEventStore } from '../../../src/index.js';
import { handleAuthorCommand, newAuthorId } from '../../../examples/blog/index.js';
import { withLab } from './support.js';

const REQUESTS = 10_000;
const SEED = Number(process.env.LAB_FUZZ_SEED ?? 20_260_101);

/** mulberry32: small, fast and good enough to pick requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}

type Random = ReturnType<typeof prng>;

const POST_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
/** Two authors registered before the requests, one never registered, and ids that are not author ids. */
const AUTHORS = [newAuthorId(), newAuthorId()];
const AUTHOR_IDS = [...AUTHORS, newAuthorId(), 'ada', 'ada@example.org'];
const ALPHABET = 'abcXYZ019 -_./%?#&=+:;,"\'\\<>{}[]éü😀\u0000\u0007\n\t';

function text(r: Random, max = 20): string {
  let out = '';
  for (let i = r.int(max + 1); i > 0; i--) out += r.pick([...ALPHABET]);
  return out;
}

/** Any JSON value, sometimes nested, sometimes huge. */
function jsonValue(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -0, 2 ** 53, 42]);
    case 3:
      return text(r);
    case 4:
      return r.chance(0.5) ? 'x'.repeat(r.pick([1_000, 100_000, 100_001, 300_000])) : POST_IDS[r.int(POST_IDS.length)];
    case 5:
      return '';
    case 6:
      return Array.from({ length: r.int(4) }, () => jsonValue(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(4) }, () => [text(r, 8), jsonValue(r, depth + 1)]));
  }
}

/** A command body that is valid, or close to it: fields dropped, retyped or added. */
function commandBody(r: Random, kind: 'create' | 'edit' | 'publish'): Record<string, unknown> {
  const body: Record<string, unknown> =
    kind === 'create'
      ? { postId: r.pick(POST_IDS), title: r.pick(['Hello', 'Second', ' padded ']), body: r.pick(['', 'Body.', 'Other body']), authorId: r.pick(AUTHOR_IDS) }
      : kind === 'edit'
        ? { ...(r.chance(0.7) && { title: r.pick(['Hello', 'Edited', 'Again']) }), ...(r.chance(0.5) && { body: r.pick(['Body.', 'New']) }) }
        : {};
  if (r.chance(0.2)) body.expectedVersion = r.pick([0, 1, 2, 3, -1, 1.5, '1', null]);
  if (kind === 'create' && r.chance(0.2)) delete body.postId;
  const mutate = r.chance(0.3);
  if (mutate) {
    const keys = [...Object.keys(body), 'title', 'body', 'authorId', 'postId', 'expectedVersion', text(r, 6)];
    for (let i = r.int(3) + 1; i > 0; i--) {
      const key = r.pick(keys);
      if (r.chance(0.3)) delete body[key];
      else body[key] = jsonValue(r);
    }
  }
  return body;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/vnd.api+json',
  ';;;',
  'application/',
  '*/*',
];

const PATHS = ['/api/posts', '/api/posts/a', '/api/posts/a/publish', '/api/posts/b/unpublish', '/api/posts/a/history', '/api/posts/a/snapshot', '/api/events', '/api/streams', '/api/streams/post-a', '/api/projections', '/api/projections/posts/rebuild', '/api/projections/nothing/rebuild', '/api/health', '/api/authors', `/api/authors/${AUTHOR_IDS[2]}`, `/api/authors/${AUTHOR_IDS[2]}/forget`, '/api/authors/ada@example.org/export', '/', '/assets/app.js', '/assets/../../package.json'];
const QUERIES = ['limit=0', 'limit=1', 'limit=1001', 'limit=-1', 'limit=abc', 'limit=1&limit=2', 'cursor=%%%', 'cursor=WyJ4Il0', 'status=draft', 'status=gone', 'authorId=ada', 'after=5', 'after=99999999999999999999', 'type=PostWasCreated&type=X', 'version=1', 'version=999', 'fromVersion=0', 'x=1', '__proto__=1', 'constructor[prototype]=1'];

function randomPath(r: Random): string {
  const segments = Array.from({ length: r.int(5) }, () => r.pick(['api', 'posts', 'events', 'streams', 'live', 'publish', '..', '.', '%2e%2e', '%00', '%E0%A4%A', '%ZZ', encodeURIComponent(text(r, 10)), 'a'.repeat(r.pick([1, 300, 2000]))]));
  return `/${segments.join('/')}`;
}

/** One of the blog's commands, aimed where it belongs: most are valid, some are close to it. */
function commandRequest(r: Random): { method: 'POST' | 'PUT'; url: string } {
  const postId = r.pick(POST_IDS);
  return r.pick([
    { method: 'POST', url: '/api/posts' },
    { method: 'PUT', url: `/api/posts/${postId}` },
    { method: 'POST', url: `/api/posts/${postId}/publish` },
    { method: 'POST', url: `/api/posts/${postId}/unpublish` },
  ] as const);
}

type FuzzRequest = InjectOptions & { url: string; headers: Record<string, string> };

function randomRequest(r: Random): FuzzRequest {
  const aimed = r.chance(0.35) ? commandRequest(r) : undefined;
  const method = aimed?.method ?? (r.chance(0.85) ? r.pick(['GET', 'POST', 'PUT'] as const) : r.pick(['DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const));
  let url = aimed?.url ?? (r.chance(0.75) ? r.pick(PATHS) : randomPath(r));
  if (r.chance(aimed ? 0.05 : 0.4)) url += `?${Array.from({ length: r.int(3) + 1 }, () => r.pick(QUERIES)).join('&')}`;
  const headers: Record<string, string> = {};
  let payload: string | undefined;

  if (method === 'POST' || method === 'PUT' || method === 'PATCH' || r.chance(0.05)) {
    const kind = url.includes('/publish') || url.includes('/unpublish') ? 'publish' : method === 'PUT' ? 'edit' : 'create';
    const body = r.chance(aimed ? 0.03 : 0.1) ? jsonValue(r) : commandBody(r, kind);
    const json = JSON.stringify(body) ?? '';
    switch (r.int(aimed ? 30 : 10)) {
      case 0:
        payload = json.slice(0, r.int(json.length + 1)); // truncated
        break;
      case 1:
        payload = text(r, 50); // not JSON at all
        break;
      case 2:
        payload = '';
        break;
      default:
        payload = json;
    }
    if (r.chance(0.9)) headers['content-type'] = r.chance(aimed ? 0.9 : 0.75) ? 'application/json' : r.pick(CONTENT_TYPES);
  }
  if (r.chance(0.1)) headers.authorization = r.pick(['Bearer x', 'Basic abc', '', 'Bearer']);
  if (r.chance(0.05)) headers['last-event-id'] = r.pick(['1', '-1', 'abc', '99999999999999999999']);
  if (r.chance(0.05)) headers['content-encoding'] = r.pick(['gzip', 'br', 'identity']);
  if (r.chance(0.1)) headers[`x-${text(r, 6).replace(/[^a-z0-9-]/gi, '') || 'fuzz'}`] = text(r, 20).replace(/[^\x20-\x7e]/g, '');
  if (r.chance(0.05)) headers.accept = r.pick(['text/html', 'application/json', '*/*', 'text/event-stream']);

  // The live feed never ends by itself, and inject waits for the end: it has its own stories.
  if ((method === 'GET' || method === 'HEAD') && url.split('?')[0]!.replace(/\/+$/, '') === '/api/events/live') url = '/api/events';
  return { method, url, headers, ...(payload !== undefined && { payload }) };
}

const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test(`${REQUESTS} malformed or random requests (seed ${SEED}): no 5xx, every refusal JSON, and exactly the accepted commands' events stored`, async (t) => {
  const store = await openEventStore(`sqlite:${join(dir, 'fuzz.db')}`);
  for (const authorId of AUTHORS) await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId, name: 'Ada', email: 'ada@example.org' });
  const r = prng(SEED);
  const statuses = new Map<number, number>();
  let reported = 0;
  try {
    // Inline projections keep each accepted command quick: its read models change in its own transaction.
    await withLab(
      store,
      async (app) => {
        for (let i = 0; i < REQUESTS; i++) {
          const request = randomRequest(r);
          const response = await app.inject(request);
          const status = response.statusCode;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const shown = () => `request ${i}: ${request.method} ${request.url.slice(0, 200)} ${JSON.stringify(request.headers)} ${String(request.payload ?? '').slice(0, 200)} → ${status} ${response.body.slice(0, 300)}`;
          assert.ok(status < 500, shown());
          if (request.method === 'HEAD') continue;
          if (status >= 200 && status < 300) {
            const body = response.headers['content-type']?.toString().startsWith('application/json') ? (JSON.parse(response.body) as { events?: unknown[]; postId?: unknown }) : {};
            if (request.method !== 'GET' && Array.isArray(body.events) && typeof body.postId === 'string') reported += body.events.length;
            continue;
          }
          assert.match(String(response.headers['content-type']), /^application\/json/, shown());
          const error = JSON.parse(response.body) as { error?: unknown; message?: unknown };
          assert.ok(typeof error.error === 'string' && typeof error.message === 'string', shown());
        }
      },
      { projections: 'inline' },
    );
    const stored = (await store.stats()).events - AUTHORS.length;
    t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; ${reported} events accepted`);
    assert.equal(stored, reported, `statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.ok(reported > 20, `some commands were accepted (${reported} events)`);
  } finally {
    await store.close();
  }
});
