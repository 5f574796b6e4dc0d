// P1: rebuilding the blog's `posts` read model from every event in the store.
// P2: appends at a steady rate with the projection running async, and how long each
// event takes to show in the read model.

import { setTimeout as sleep } from 'node:timers/promises';
import { settleScratch } from '../running/scratch.js';
import { findTarget } from '../running/stores.js';
import type { BenchStore, LivePosts } from './adapter.js';
import { blogEvent, blogEvents } from './blog-events.js';
import { mustAppend, percentile, perSecond, timed, type Workload } from './workload.js';

/** Posts of `eventsPerPost` events each, one append per post (untimed set-up). */
async function seedPosts(store: BenchStore, posts: number, eventsPerPost: number): Promise<void> {
  for (let p = 0; p < posts; p++) {
    const streamId = `post-${p}`;
    mustAppend(await store.append(streamId, blogEvents(streamId, 1, eventsPerPost), 0), streamId);
  }
}

/**
 * The floors of P1 (floors/rebuild.ts) are Eventline's store with a raw-driver rebuild, so
 * they seed the same rows as ours. Every store's load is settled before the rebuild is
 * timed (settleScratch): PostgreSQL's plans and autovacuum then depend on the data alone,
 * not on how recently it was written.
 */
export const p1: Workload = {
  id: 'P1',
  label: 'P1 rebuild the posts projection',
  unit: 'events/s',
  kinds: ['sqlite', 'postgres'],
  families: ['ours', 'emmett'],
  async run({ store, sizes, target, scratch }) {
    if (!store.rebuildPosts) return { skipped: store.noRebuildPosts ?? 'no projection rebuild' };
    const total = sizes.p1Posts * sizes.p1EventsPerPost;
    await seedPosts(store, sizes.p1Posts, sizes.p1EventsPerPost);
    await settleScratch(scratch, findTarget(target));
    let applied = 0;
    const ms = await timed(async () => (applied = await store.rebuildPosts!()));
    if (applied !== total) throw new Error(`the rebuild applied ${applied} events of ${total}`);
    return { value: perSecond(total, ms), details: { events: total } };
  },
};


export const p2: Workload = {
  id: 'P2',
  label: 'P2 append 1,000 events/s, async projection: append to visible',
  unit: 'ms',
  kinds: ['sqlite', 'postgres'],
  families: ['ours', 'emmett'],
  async run({ store, sizes }) {
    if (!store.livePosts) return { skipped: store.noLivePosts ?? 'no async projection' };
    const live = await store.livePosts();
    let visibility: Visibility;
    try {
      visibility = await appendToVisible(live, sizes.p2Rate, sizes.p2Seconds);
    } finally {
      await live.stop();
    }
    const { sorted, rate } = visibility;
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    return { value: p99, details: { p50: Number(p50.toFixed(2)), p99: Number(p99.toFixed(2)), events: sorted.length, rate, worst: Number(sorted.at(-1)!.toFixed(2)) } };
  },
};

export interface Visibility {
  /** Each event's time from its append's call to its visibility in the read model, ms, sorted. */
  sorted: number[];
  /** The appends per second reached. */
  rate: number;
}

/**
 * P2's load: one writer appends at `rate` events/s for `seconds` (posts of 4 events,
 * named from `firstPost` on), while one watcher sees the read model's progress for
 * every event at once.
 */
export async function appendToVisible(live: LivePosts, rate: number, seconds: number, firstPost = 0): Promise<Visibility> {
  // Each event: when its append was called, and its position once appended.
  const pending: { at: number; position: number }[] = [];
  const latencies: number[] = [];
  let appending = true;
  let failure: unknown;

  const watcher = (async () => {
    while (appending || pending.length > 0) {
      const visible = await live.visiblePosition();
      const now = performance.now();
      while (pending.length > 0 && pending[0]!.position <= visible) latencies.push(now - pending.shift()!.at);
      if (!appending && pending.length > 0 && now - pending[0]!.at > 30_000) throw new Error('an event stayed invisible for 30 s');
      await sleep(1);
    }
  })().catch((error: unknown) => (failure = error));

  const total = Math.round(rate * seconds);
  const started = performance.now();
  let appendedMs = 0;
  try {
    for (let i = 0; i < total && failure === undefined; i++) {
      // Paced: event i goes out at i / rate seconds (to the timer's millisecond).
      const due = started + (i * 1000) / rate;
      // One writer awaits each append: a store slower than 1 ms per append falls behind the
      // rate, and `rate` in the result says what it reached.
      const wait = due - performance.now();
      if (wait > 0.5) await sleep(wait);
      const post = `post-p2-${firstPost + (i >> 2)}`;
      const n = (i & 3) + 1;
      const at = performance.now();
      const position = await live.append(post, [blogEvent(post, n)], n - 1);
      pending.push({ at, position });
    }
    appendedMs = performance.now() - started;
  } finally {
    appending = false;
    await watcher;
  }
  if (failure !== undefined) throw failure;
  return { sorted: latencies.sort((a, b) => a - b), rate: Math.round(perSecond(latencies.length, appendedMs)) };
}
