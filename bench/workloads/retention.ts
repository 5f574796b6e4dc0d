// R1: a prune of half a store (closed streams removed whole, archived first) while a
// writer goes on appending single events to streams of its own, W1's way: how fast the
// prune removes events, what its archive weighs, the space it gives back, and what the
// writer's appends wait for meanwhile (a prune must not stall writers for more than a
// batch).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchEvent } from './events.js';
import { postEvent } from './events.js';
import { mustAppend, percentile, perSecond, type Workload } from './workload.js';

const CATEGORY = 'r1';
const PER_APPEND = 100;

export const r1: Workload = {
  id: 'R1',
  label: 'R1 prune half the store, archived, beside a writer (events/s pruned)',
  unit: 'events/s',
  kinds: ['sqlite', 'postgres'],
  families: ['ours'],
  timeoutMs: 3_600_000,
  async run({ store, sizes }) {
    if (!store.pruneClosed) return { skipped: 'this store has no retention' };
    const streams = sizes.r1Streams;
    const perStream = sizes.r1EventsPerStream;
    // Every other stream is closed: its last event says so, and it goes whole.
    for (let s = 0; s < streams; s++) {
      const streamId = `${CATEGORY}-${s}`;
      for (let v = 0; v < perStream; v += PER_APPEND) {
        const events = Array.from({ length: Math.min(PER_APPEND, perStream - v) }, (_, i) => r1Event(streamId, v + i + 1, s % 2 === 0 && v + i + 1 === perStream));
        mustAppend(await store.append(streamId, events, v), streamId);
      }
    }
    const archiveDir = await mkdtemp(join(tmpdir(), 'eventline-r1-'));
    const latencies: number[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const streamId = `w1-${i}`;
        const started = performance.now();
        mustAppend(await store.append(streamId, [postEvent(streamId, 1)], 0), streamId);
        latencies.push(performance.now() - started);
        // An append to SQLite settles without touching the event loop: give the prune's I/O its turn, as requests arriving would.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })();
    try {
      const started = performance.now();
      const outcome = await store.pruneClosed(CATEGORY, archiveDir);
      const ms = performance.now() - started;
      writing = false;
      await writer;
      const expected = (Math.ceil(streams / 2) * perStream);
      if (outcome.removed !== expected) throw new Error(`the prune removed ${outcome.removed} events, not ${expected}`);
      const sorted = latencies.sort((a, b) => a - b);
      // What the prune could not give back without a rewrite (PostgreSQL keeps the space for new rows), the operator's rewrite does.
      const fullStarted = performance.now();
      const bytesAfterFull = await store.reclaimFully?.();
      const fullSeconds = (performance.now() - fullStarted) / 1000;
      return {
        value: perSecond(outcome.removed, ms),
        p99Ms: percentile(sorted, 99),
        details: {
          removed: outcome.removed,
          seconds: Math.round(ms / 100) / 10,
          archiveMB: mb(outcome.archiveBytes),
          storeMBBefore: mb(outcome.bytesBefore),
          storeMBAfter: mb(outcome.bytesAfter),
          ...(bytesAfterFull === undefined ? {} : { storeMBAfterFull: mb(bytesAfterFull), fullSeconds: Math.round(fullSeconds * 10) / 10 }),
          writerAppends: sorted.length,
          writerP50Ms: round(percentile(sorted, 50)),
          writerP99Ms: round(percentile(sorted, 99)),
          writerWorstMs: round(sorted.at(-1) ?? 0),
        },
      };
    } finally {
      writing = false;
      await writer.catch(() => undefined);
      await rm(archiveDir, { recursive: true, force: true });
    }
  },
};

function r1Event(streamId: string, n: number, closes: boolean): BenchEvent {
  const event = postEvent(streamId, n);
  return closes ? ({ ...event, data: { ...event.data, closed: true } } as BenchEvent) : event;
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
const round = (value: number) => Math.round(value * 100) / 100;
