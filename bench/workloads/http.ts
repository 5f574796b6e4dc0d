// L1 and L2: the Eventline Lab under load from autocannon, which runs in this (the
// bench's child) process while the Lab runs in its own. L1 creates posts; L2 reads
// the first page of the post list with 10,000 posts stored. The figure is 2xx answers
// per second; p99 latency, non-2xx answers and errors come with it.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Options, Result } from 'autocannon';
import { postStreamId } from '../../examples/blog/commands.js';
import type { BenchStore } from './adapter.js';
import { blogEvent } from './blog-events.js';
import { startLab, type Lab } from './lab.js';
import { storeUrl } from '../stores/urls.js';
import type { Sizes } from './sizes.js';
import { mustAppend, type Measurement, type Workload, type WorkloadContext } from './workload.js';

const CAUGHT_UP_WITHIN_MS = 120_000;

/** A request autocannon repeats: method, path and body. */
type Request = Pick<Options, 'method' | 'headers' | 'body'> & { path: string };

/** No postId: the Lab gives each post a fresh id, so every request creates a post, by an author registered first. */
const { title, body } = blogEvent('l1', 1).data;
const createPost = (authorId: string): Request => ({
  method: 'POST',
  path: '/api/posts',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ title, body, authorId }),
});

/** The first page of the post list, at the Lab's default page size (20). */
const LIST_POSTS: Request = { method: 'GET', path: '/api/posts' };
const PAGE_SIZE = 20;

export const l1: Workload = {
  id: 'L1',
  label: 'L1 HTTP POST /api/posts, 10 connections',
  unit: 'req/s',
  kinds: ['sqlite', 'postgres'],
  families: ['ours'],
  run: (context) => withLab(context, async (lab, sizes) => load(lab, createPost(await registerAuthor(lab)), sizes)),
};

export const l2: Workload = {
  id: 'L2',
  label: 'L2 HTTP GET /api/posts (first page), 10,000 posts stored, 10 connections',
  unit: 'req/s',
  kinds: ['sqlite', 'postgres'],
  families: ['ours'],
  run: (context) =>
    withLab(
      context,
      async (lab, sizes) => {
        await caughtUp(lab);
        const page = (await getJson(`${lab.url}${LIST_POSTS.path}`)) as { items: unknown[] };
        const expected = Math.min(PAGE_SIZE, sizes.l2Posts);
        if (page.items.length !== expected) throw new Error(`the first page holds ${page.items.length} posts, not ${expected}`);
        return load(lab, LIST_POSTS, sizes);
      },
      // Seeded before the Lab starts, so its projections catch up from the start of the log.
      (store, sizes) => seedPosts(store, sizes.l2Posts),
    ),
};

/** Seeds the store (untimed), starts the Lab on it, measures, stops the Lab. */
async function withLab(
  { store, sizes, target, scratch }: WorkloadContext,
  measure: (lab: Lab, sizes: Sizes) => Promise<Measurement>,
  seed?: (store: BenchStore, sizes: Sizes) => Promise<void>,
): Promise<Measurement> {
  await seed?.(store, sizes);
  const lab = await startLab(storeUrl(target, scratch));
  let measurement: Measurement;
  try {
    measurement = await measure(lab, sizes);
    const died = lab.exited();
    if (died !== undefined) throw new Error(`the Lab exited (${died}) during the run`);
  } catch (error) {
    await lab.stop().catch(() => {});
    throw error;
  }
  const spawnedRssMB = lab.peakRssMB();
  await lab.stop();
  return spawnedRssMB === undefined ? measurement : { ...measurement, spawnedRssMB };
}

/** An untimed warm-up that must answer 2xx throughout, then the timed run. */
async function load(lab: Lab, request: Request, sizes: Sizes): Promise<Measurement> {
  // Loaded here, so no other workload's process carries it in its RSS.
  const { default: autocannon } = await import('autocannon');
  const { path, ...rest } = request;
  const options: Options = { url: `${lab.url}${path}`, ...rest, connections: sizes.httpConnections };
  const warmup = await autocannon({ ...options, amount: sizes.httpWarmupRequests });
  if (warmup.non2xx > 0 || warmup.errors > 0) throw new Error(`the warm-up got ${counts(warmup)}`);
  const result = await autocannon({ ...options, duration: sizes.httpSeconds });
  if (result['2xx'] === 0) throw new Error(`no 2xx answer in the run: ${counts(result)}`);
  return {
    value: result['2xx'] / result.duration,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function counts(result: Result): string {
  const statuses = Object.entries(result.statusCodeStats)
    .map(([status, { count }]) => `${count} × ${status}`)
    .join(', ');
  return `${statuses || 'no answers'}, ${result.errors} errors (${result.timeouts} timeouts)`;
}

/** One PostWasCreated per post, in the blog's own stream of it, through the store's append. */
async function seedPosts(store: BenchStore, posts: number): Promise<void> {
  for (let p = 0; p < posts; p++) {
    const postId = `l2-${p}`;
    const streamId = postStreamId(postId);
    mustAppend(await store.append(streamId, [blogEvent(postId, 1)], 0), streamId);
  }
}

/** Until every projection of the Lab runs with no lag, so none catches up during the run. */
async function caughtUp(lab: Lab): Promise<void> {
  const deadline = Date.now() + CAUGHT_UP_WITHIN_MS;
  while (true) {
    const { headPosition, projections } = (await getJson(`${lab.url}/api/projections`)) as {
      headPosition: number;
      projections: { name: string; state: string; lag: number; error: string | null }[];
    };
    const failed = projections.find((p) => p.error !== null);
    if (failed) throw new Error(`projection ${failed.name} failed: ${failed.error}`);
    if (headPosition > 0 && projections.every((p) => p.state === 'running' && p.lag === 0)) return;
    if (Date.now() > deadline) throw new Error(`the projections did not catch up within ${CAUGHT_UP_WITHIN_MS / 1000} s: ${JSON.stringify(projections)}`);
    await sleep(100);
  }
}

/** Registers the author L1's posts are by (untimed); resolves to the id the Lab gave. */
async function registerAuthor(lab: Lab): Promise<string> {
  const response = await fetch(`${lab.url}/api/authors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada Lovelace', email: 'ada@example.com' }),
  });
  if (response.status !== 201) throw new Error(`registering an author answered ${response.status}`);
  return ((await response.json()) as { authorId: string }).authorId;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}
