// Helpers for the Lab's stories: the server in-process (inject) on a test store, the
// server as a child process (as `npm start` runs it), and a small Server-Sent Events
// reader for the live feed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openKeyStorage, openPrivacy, type EventStore, type Privacy } from '../../../src/index.js';
import { postgresTestUrl, postgresUnavailable } from '../../../src/testing/index.js';
import { authorPersonalData } from '../../../examples/blog/index.js';
import { buildLab, openPrivateStore, type LabOptions } from '../../../lab/server/index.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Crypto-shredding for a test's store over a memory key storage and a random KEK, attached
 * to it. Enough for stories about posts; a store opened without its guard keeps authors'
 * names in the clear, so stories about erasure open theirs with openPrivateStore.
 */
export async function testPrivacy(store: EventStore): Promise<Privacy> {
  const privacy = await openPrivacy({ keyStorage: await openKeyStorage('memory:'), kek: randomBytes(32), personalData: authorPersonalData });
  await privacy.attach(store);
  return privacy;
}

/** Builds the Lab on `store` (quiet, quick to notice events), runs `story`, closes it. */
export async function withLab(store: EventStore, story: (app: FastifyInstance) => Promise<void>, options: Partial<LabOptions> = {}): Promise<void> {
  const app = await buildLab({ store, privacy: options.privacy ?? (await testPrivacy(store)), logger: false, pollIntervalMs: 50, ...options });
  try {
    await app.ready();
    await story(app);
  } finally {
    await app.close();
  }
}

/** A store as the Lab opens it (sealed under TEST_KEK), the Lab on it, and its URL. */
export type PrivateLabStory = (app: FastifyInstance, store: EventStore, url: string) => Promise<void>;

/**
 * Tells the same stories on memory, a SQLite file and a PostgreSQL schema (with its key
 * schema beside it), each store opened as lab/main.ts opens it: with the privacy guard,
 * so authors' names and emails are sealed. PostgreSQL without a server is a skip, or
 * under CI=true a failure, as onEveryStore does.
 */
export function onEveryPrivateStore(title: (name: string) => string, stories: (withPrivateLab: (story: PrivateLabStory, options?: Partial<LabOptions>) => Promise<void>) => void): void {
  const places: { name: string; unavailable?: { reason: string; required: boolean }; place?: () => Promise<{ url: string; cleanup(): Promise<void> }> }[] = [
    { name: 'memory', place: async () => ({ url: 'memory:', cleanup: async () => {} }) },
    {
      name: 'SQLite',
      place: async () => {
        const folder = await mkdtemp(join(tmpdir(), 'eventline-lab-private-'));
        return { url: `sqlite:${join(folder, 'lab.db')}`, cleanup: () => rm(folder, { recursive: true, force: true }) };
      },
    },
    postgresPlace(),
  ];
  for (const { name, unavailable, place } of places) {
    describe(title(name), () => {
      if (unavailable !== undefined || place === undefined) {
        test(`${name} scenarios`, (t) => (unavailable?.required ? assert.fail(unavailable.reason) : t.skip(unavailable?.reason)));
        return;
      }
      stories(async (story, options = {}) => {
        const { url, cleanup } = await place();
        try {
          const opened = await openPrivateStore(url, { EVENTLINE_KEK: TEST_KEK });
          try {
            await withLab(opened.store, (app) => story(app, opened.store, url), { privacy: opened.privacy, ...options });
          } finally {
            await opened.close();
          }
        } finally {
          await cleanup();
        }
      });
    });
  }
}

function postgresPlace() {
  const unavailable = postgresUnavailable();
  if (unavailable !== undefined) return { name: 'PostgreSQL', unavailable };
  return {
    name: 'PostgreSQL',
    place: async () => {
      const database = postgresTestUrl()!;
      return { url: await database.freshUrl(), cleanup: () => database.dropAll() };
    },
  };
}

/** Given: an author registered through the API; their id. */
export async function givenAuthor(app: FastifyInstance, fields: { name?: string; email?: string } = {}): Promise<string> {
  const answer = await call<{ authorId: string }>(app, 'POST', '/api/authors', { name: 'Ada Lovelace', email: 'ada@example.org', ...fields });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.authorId;
}

export interface Answer<Body = Record<string, unknown>> {
  status: number;
  body: Body;
  headers: LightMyRequestResponse['headers'];
}

/** Sends one request; JSON bodies are sent as JSON. The answer's body is parsed as JSON (it always is). */
export async function call<Body = Record<string, unknown>>(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<Body>> {
  const response = await app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as InjectOptions['payload'] }) });
  let body: Body;
  try {
    body = JSON.parse(response.body) as Body;
  } catch {
    assert.fail(`${method} ${url} answered ${response.statusCode} with something other than JSON: ${response.body.slice(0, 200)}`);
  }
  return { status: response.statusCode, body, headers: response.headers };
}

/** Then: the answer is an error of this status, as JSON with error, message and details. */
export function assertError(answer: Answer, status: number, expected: { error?: string; field?: string; message?: RegExp } = {}): void {
  assert.equal(answer.status, status, `status; body: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.status, status, 'the body repeats the status');
  assert.equal(typeof answer.body.error, 'string');
  assert.equal(typeof answer.body.message, 'string');
  assert.equal(typeof answer.body.details, 'object');
  assert.doesNotMatch(JSON.stringify(answer.body), /\n\s+at /, 'no stack');
  if (expected.error !== undefined) assert.equal(answer.body.error, expected.error);
  if (expected.field !== undefined) assert.equal((answer.body.details as { field?: string }).field, expected.field);
  if (expected.message !== undefined) assert.match(answer.body.message as string, expected.message);
}

// ---- the Lab as a process ----

export interface LabProcess {
  url: string;
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** The KEK of every Lab this test file starts, unless it names another: the same for each restart on a store. */
export const TEST_KEK = randomBytes(32).toString('base64');

/**
 * Runs `lab/main.ts` with exactly these settings (none of ours), as a user would; with
 * TEST_KEK when they name no KEK, so no key file is made in the repository.
 */
export function spawnLab(env: Record<string, string>): { exited: Promise<number | null>; stdout(): string; stderr(): string; kill(signal: NodeJS.Signals): void } {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EVENTLINE_') && name !== 'HOST' && name !== 'PORT'));
  const kek = env.EVENTLINE_KEK === undefined && env.EVENTLINE_KEK_FILE === undefined ? { EVENTLINE_KEK: TEST_KEK } : {};
  const child = spawn(process.execPath, ['--import', 'tsx', 'lab/main.ts'], { cwd: ROOT, env: { ...inherited, ...kek, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { exited, stdout: () => stdout, stderr: () => stderr, kill: (signal) => void child.kill(signal) };
}

/** Starts the Lab on `store` with PORT=0 and resolves once it prints where it listens. */
export async function startLab(store: string, env: Record<string, string> = {}): Promise<LabProcess> {
  const child = spawnLab({ HOST: '127.0.0.1', PORT: '0', EVENTLINE_STORE: store, ...env });
  const deadline = Date.now() + 20_000;
  let match: RegExpExecArray | null = null;
  while ((match = /^Eventline Lab listening on (http:\/\/\S+) \(store .*\)$/m.exec(child.stdout())) === null) {
    const exited = await Promise.race([child.exited.then(() => true), sleep(20).then(() => false)]);
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      assert.fail(`the Lab did not start; stdout: ${child.stdout()}\nstderr: ${child.stderr()}`);
    }
  }
  return {
    url: match[1]!,
    stdout: child.stdout,
    stderr: child.stderr,
    exited: child.exited,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return await child.exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Polls `check` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export async function getJson<Body = Record<string, unknown>>(url: string, init: RequestInit = {}): Promise<{ status: number; body: Body }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Body };
}

export async function postJson<Body = Record<string, unknown>>(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Body }> {
  return getJson<Body>(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
}

/** Given: an author registered with the Lab at `url`; their id. */
export async function authorAt(url: string, headers: Record<string, string> = {}, fields: { name?: string; email?: string } = {}): Promise<string> {
  const answer = await postJson<{ authorId: string }>(`${url}/api/authors`, { name: 'Ada Lovelace', email: 'ada@example.org', ...fields }, headers);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.authorId;
}

// ---- Server-Sent Events ----

export interface SseMessage {
  id: string | undefined;
  data: string;
}

export interface SseReader {
  /** The next message (comments skipped); undefined once the stream has ended. */
  next(timeoutMs?: number): Promise<SseMessage | undefined>;
  close(): void;
}

/** Opens a live feed on its own connection (closing it closes the socket, as a closed tab does). */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      if (res.statusCode !== 200 || !/^text\/event-stream/.test(res.headers['content-type'] ?? '')) {
        req.destroy();
        reject(new Error(`the live feed answered ${res.statusCode} ${res.headers['content-type']}`));
        return;
      }
      let buffer = '';
      let ended = false;
      let wake = () => {};
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        wake();
      });
      res.on('close', () => {
        ended = true;
        wake();
      });

      async function next(timeoutMs = 10_000): Promise<SseMessage | undefined> {
        const deadline = Date.now() + timeoutMs;
        while (true) {
          const cut = buffer.indexOf('\n\n');
          if (cut >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const lines = block.split('\n').filter((line) => !line.startsWith(':'));
            if (lines.length === 0) continue;
            const field = (name: string) => lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
            return { id: field('id')[0], data: field('data').join('\n') };
          }
          if (ended) return undefined;
          const left = deadline - Date.now();
          if (left <= 0) assert.fail(`no server-sent event within ${timeoutMs} ms`);
          await new Promise<void>((done) => {
            const timer = setTimeout(done, left);
            wake = () => {
              clearTimeout(timer);
              done();
            };
          });
        }
      }
      resolve({ next, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}
