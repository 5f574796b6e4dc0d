// The Lab as `npm start` runs it: a real process on a real SQLite file, over real
// HTTP. It starts on a free port and says where, answers, streams events live and
// resumes a stream after the last event seen; SIGTERM lets an in-flight request
// finish, ends the live streams and exits 0. Settings that cannot be safe refuse to start.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openEventStore } from '../../../src/index.js';
import { authorAt, eventually, getJson, openSse, postJson, spawnLab, startLab, type LabProcess } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let authorId = '';
const post = (postId: string) => ({ postId, title: `Title ${postId}`, body: 'Body.', authorId });

describe('the Lab, started as npm start starts it', () => {
  const file = join(dir, 'lab.db');
  let lab: LabProcess;
  before(async () => {
    lab = await startLab(`sqlite:${file}`);
  });
  after(() => lab.stop('SIGKILL'));

  test('it prints exactly one line, with the URL and the store, and answers there', async () => {
    assert.equal(lab.stdout(), `Eventline Lab listening on ${lab.url} (store sqlite:${file})\n`);
    assert.match(lab.url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await getJson(`${lab.url}/api/health`);

    assert.deepEqual(health, { status: 200, body: { status: 'ok', store: 'sqlite', tokenRequired: false, headPosition: 0, outbox: { undelivered: 0, relay: 'off' } } });
    assert.doesNotMatch(lab.stderr(), /"level":[45]0/, 'no errors logged');
    authorId = await authorAt(lab.url);
  });

  test('it logs one JSON line per request: method, route, path without the query, status, time; no bodies', async () => {
    await postJson(`${lab.url}/api/posts`, post('logged'));
    await getJson(`${lab.url}/api/posts?authorId=secret-author`);

    // A request's line is written once its answer has gone, so it may come a moment later.
    const lines = await eventually('both requests are logged', async () => {
      const logged = lab.stderr().split('\n').filter((line) => line.includes('"msg":"request"')).map((line) => JSON.parse(line) as Record<string, unknown>);
      return logged.some((l) => l.method === 'GET' && l.path === '/api/posts') ? logged : undefined;
    });
    const created = lines.find((l) => l.method === 'POST' && l.route === '/api/posts')!;
    assert.deepEqual([created.route, created.path, created.status, typeof created.ms], ['/api/posts', '/api/posts', 201, 'number']);
    assert.doesNotMatch(lab.stderr(), /secret-author|Title logged/, 'no query strings, no bodies');
  });

  test('the live feed sends each new event with its position as id, and resumes after Last-Event-ID', async () => {
    const live = await openSse(`${lab.url}/api/events/live`);
    const created = await postJson<{ position: number }>(`${lab.url}/api/posts`, post('live'));

    const first = await live.next();
    live.close();

    assert.equal(first?.id, String(created.body.position));
    const event = JSON.parse(first!.data) as Record<string, unknown>;
    assert.deepEqual([event.position, event.streamId, event.type], [created.body.position, 'post-live', 'PostWasCreated']);

    // While disconnected, two more events happen.
    await postJson(`${lab.url}/api/posts/live/publish`, {});
    await postJson(`${lab.url}/api/posts/live/unpublish`, {});
    const resumed = await openSse(`${lab.url}/api/events/live?after=0`, { 'last-event-id': first!.id! });
    const missed = [await resumed.next(), await resumed.next()];
    resumed.close();

    assert.deepEqual(
      missed.map((m) => [Number(m?.id), (JSON.parse(m!.data) as { type: string }).type]),
      [
        [created.body.position + 1, 'PostWasPublished'],
        [created.body.position + 2, 'PostWasUnpublished'],
      ],
    );
  });

  test('SIGTERM: the request in flight finishes, the live feed ends, the process exits 0, and the write is kept', async () => {
    const live = await openSse(`${lab.url}/api/events/live`);
    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify(post('in-flight'));
    const { port } = new URL(lab.url);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/posts', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      // Once connected and partly sent: the signal, then the rest of the body.
      req.on('socket', (socket) =>
        socket.on('connect', () => {
          void sleep(300).then(() => lab.stop('SIGTERM'));
          void sleep(800).then(() => req.end(body.slice(10)));
        }),
      );
    });

    const { status, text } = await answer;
    assert.equal(status, 201, text);
    assert.equal(await live.next(5_000), undefined, 'the live feed ended');
    assert.equal(await lab.exited, 0);

    const store = await openEventStore(`sqlite:${file}`);
    try {
      assert.deepEqual((await store.readStream('post-in-flight')).map((e) => e.type), ['PostWasCreated']);
    } finally {
      await store.close();
    }
  });
});

describe('settings the Lab refuses', () => {
  test('listening beyond this machine without EVENTLINE_TOKEN: one line saying why, exit 1', async () => {
    const lab = spawnLab({ HOST: '0.0.0.0', PORT: '0', EVENTLINE_STORE: `sqlite:${join(dir, 'refused.db')}` });

    assert.equal(await lab.exited, 1);
    assert.equal(lab.stdout(), '');
    const lines = lab.stderr().split('\n').filter(Boolean);
    assert.equal(lines.length, 1, lab.stderr());
    assert.match(lines[0]!, /refusing to listen on 0\.0\.0\.0 without EVENTLINE_TOKEN/);
  });

  test('a port another process listens on: one line saying so and what to do, exit 1', async () => {
    const first = await startLab(`sqlite:${join(dir, 'first.db')}`);
    try {
      const port = new URL(first.url).port;
      const second = spawnLab({ HOST: '127.0.0.1', PORT: port, EVENTLINE_STORE: `sqlite:${join(dir, 'second.db')}` });
      assert.equal(await second.exited, 1);
      const lines = second.stderr().split('\n').filter(Boolean);
      assert.equal(lines.length, 1, second.stderr());
      assert.match(lines[0]!, new RegExp(`address already in use 127\\.0\\.0\\.1:${port}: another process listens there; set PORT`));
    } finally {
      assert.equal(await first.stop(), 0);
    }
  });
});

describe("the Lab's key-encryption key", () => {
  test('without EVENTLINE_KEK it makes the key file EVENTLINE_KEK_FILE names (mode 0600) and says so in its log, once', async () => {
    // A folder of its own: a SQLite store's key storage is keys.db beside its file.
    const keyFile = join(dir, 'kek', 'lab.kek');
    const store = `sqlite:${join(dir, 'kek', 'lab.db')}`;
    const first = await startLab(store, { EVENTLINE_KEK_FILE: keyFile });
    assert.equal(await first.stop(), 0);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const warnings = first.stderr().split('\n').filter((line) => line.includes('created a key-encryption key file'));
    assert.equal(warnings.length, 1, first.stderr());
    assert.equal((JSON.parse(warnings[0]!) as { level: number }).level, 40, 'a warning of the Lab\'s log');

    const again = await startLab(store, { EVENTLINE_KEK_FILE: keyFile });
    assert.equal(await again.stop(), 0);
    assert.doesNotMatch(again.stderr(), /created a key-encryption key file/);
  });

  test('a malformed KEK, or another KEK than the one that sealed the key storage: one line, exit 1', async () => {
    const store = `sqlite:${join(dir, 'sealed', 'lab.db')}`;
    const malformed = spawnLab({ HOST: '127.0.0.1', PORT: '0', EVENTLINE_STORE: store, EVENTLINE_KEK: 'not a key' });
    assert.equal(await malformed.exited, 1);
    assert.match(malformed.stderr(), /^eventline lab: EVENTLINE_KEK must hold the base64 of exactly 32 bytes[^\n]*\n$/);

    const sealed = await startLab(store);
    assert.equal(await sealed.stop(), 0);
    const other = spawnLab({ HOST: '127.0.0.1', PORT: '0', EVENTLINE_STORE: store, EVENTLINE_KEK: Buffer.alloc(32, 7).toString('base64') });
    assert.equal(await other.exited, 1);
    assert.match(other.stderr(), /^eventline lab: [^\n]+\n$/);
    assert.equal(other.stdout(), '');

    const missing = spawnLab({ HOST: '127.0.0.1', PORT: '0', EVENTLINE_STORE: store, EVENTLINE_KEK_FILE: join(dir, 'no-such.kek') });
    assert.equal(await missing.exited, 1);
    assert.match(missing.stderr(), /^eventline lab: no key-encryption key: the key file \S+no-such\.kek does not exist, and this key storage is sealed with one[^\n]*\n$/);
    assert.equal(existsSync(join(dir, 'no-such.kek')), false, 'no key file made for a sealed key storage');
  });
});

describe('the Lab with a token, listening on every interface', () => {
  test('writes without the token get 401 and write nothing; with it they pass', async () => {
    const token = 'lab-token-for-tests';
    const lab = await startLab(`sqlite:${join(dir, 'token.db')}`, { HOST: '0.0.0.0', EVENTLINE_TOKEN: token });
    try {
      const url = lab.url.replace('0.0.0.0', '127.0.0.1');

      authorId = await authorAt(url, { authorization: `Bearer ${token}` });
      const refused = await postJson(`${url}/api/posts`, post('t'));
      const wrong = await postJson(`${url}/api/posts`, post('t'), { authorization: 'Bearer guess' });
      const accepted = await postJson(`${url}/api/posts`, post('t'), { authorization: `Bearer ${token}` });

      assert.deepEqual([refused.status, refused.body.error, wrong.status], [401, 'UNAUTHORIZED', 401]);
      assert.equal(accepted.status, 201);
      assert.equal((await getJson(`${url}/api/health`)).body.headPosition, 2, 'the author and the post');
    } finally {
      assert.equal(await lab.stop(), 0);
    }
  });
});
