// C1: a copy of a SQLite store into PostgreSQL (10,000 streams of 100 events at full
// scale): events/s of copyStore, against the floor's hand-written readAll and batched
// INSERT with the drivers, and the verification's cost (copyStore's own, timed apart).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../../src/index.js';
import { postEvent } from './events.js';
import { perSecond, type Workload } from './workload.js';

const PER_APPEND = 100;

export const c1: Workload = {
  id: 'C1',
  label: 'C1 copy a SQLite store into PostgreSQL (events/s copied)',
  unit: 'events/s',
  kinds: ['postgres'],
  families: ['ours', 'floor'],
  timeoutMs: 3_600_000,
  async run({ store, sizes }) {
    if (!store.copyFromSqlite) return { skipped: 'this store takes no copies' };
    const folder = await mkdtemp(join(tmpdir(), 'eventline-c1-'));
    try {
      // The source, through Eventline's SQLite store (untimed): streams written one after another.
      const sourcePath = join(folder, 'source.db');
      const source = await openEventStore(`sqlite:${sourcePath}`);
      for (let s = 0; s < sizes.c1Streams; s++) {
        const streamId = `c1-${s}`;
        for (let v = 0; v < sizes.c1EventsPerStream; v += PER_APPEND) {
          const count = Math.min(PER_APPEND, sizes.c1EventsPerStream - v);
          await source.appendToStream(streamId, Array.from({ length: count }, (_, i) => postEvent(streamId, v + i + 1)), { expectedVersion: v === 0 ? 'no_stream' : v });
        }
      }
      const expected = await source.headPosition();
      await source.close();

      const outcome = await store.copyFromSqlite(sourcePath);
      if (outcome.copied !== expected) throw new Error(`the copy wrote ${outcome.copied} events, not ${expected}`);
      const verify: Record<string, number> = outcome.verifyMs === undefined ? {} : { verifySeconds: seconds(outcome.verifyMs), verifyEventsPerSecond: Math.round(perSecond(outcome.copied, outcome.verifyMs)) };
      return { value: perSecond(outcome.copied, outcome.ms), details: { events: outcome.copied, seconds: seconds(outcome.ms), ...verify } };
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  },
};

const seconds = (ms: number) => Math.round(ms / 100) / 10;
