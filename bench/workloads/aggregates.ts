// S1: loading a Post aggregate (the blog's decider) whose stream holds 10, 1,000 or
// 100,000 events, with no snapshots and with a snapshot every 100 events. One workload
// per (size, snapshots), chained by `reuses`, so each store seeds the three streams once.

import type { BenchStore } from './adapter.js';
import { blogEvents } from './blog-events.js';
import { median } from '../reporting/stats.js';
import type { Sizes } from './sizes.js';
import { mustAppend, timed, type Workload } from './workload.js';

/** Events per append while seeding. */
const SEED_BATCH = 1_000;
/** Timed loads per measurement, after one untimed; the figure is their median. */
const LOADS = 5;

const SIZES = [
  { name: '10', of: (s: Sizes) => s.s1Small },
  { name: '1K', of: (s: Sizes) => s.s1Medium },
  { name: '100K', of: (s: Sizes) => s.s1Large },
] as const;

const streamOf = (size: string) => `post-s1-${size.toLowerCase()}`;

/** The three streams, each appended 1,000 events at a time; snapshots as due after each append. */
async function seed(store: BenchStore, sizes: Sizes): Promise<void> {
  for (const { name, of } of SIZES) {
    const count = of(sizes);
    const streamId = streamOf(name);
    for (let version = 0; version < count; version += SEED_BATCH) {
      const size = Math.min(SEED_BATCH, count - version);
      mustAppend(await store.append(streamId, blogEvents(streamId, version + 1, size), version), streamId);
      await store.snapshotPost?.(streamId);
    }
  }
}

function variant(size: (typeof SIZES)[number], snapshots: boolean, previous: string | undefined): Workload {
  const id = `S1-${size.name}${snapshots ? '-SNAP100' : ''}`;
  return {
    id,
    group: 'S1',
    label: `S1 load a Post of ${size.name} events, ${snapshots ? 'snapshot every 100' : 'no snapshots'}`,
    unit: 'ms',
    kinds: ['sqlite', 'postgres'],
    families: ['ours', 'emmett'],
    reuses: previous,
    async run({ store, sizes, seeded }) {
      if (!store.loadPost) return { skipped: 'no aggregate load' };
      if (snapshots && !store.snapshotPost) return { skipped: 'no snapshots' };
      if (!seeded) await seed(store, sizes);
      const count = size.of(sizes);
      const streamId = streamOf(size.name);
      const load = () => store.loadPost!(streamId, snapshots);
      await load();
      const times: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        let version = 0;
        times.push(await timed(async () => (version = await load())));
        if (version !== count) throw new Error(`the load reached version ${version} of ${count}`);
      }
      return { value: median(times), details: { size: count, snapshots } };
    },
  };
}

export const s1: readonly Workload[] = [false, true].flatMap((snapshots) => SIZES.map((size) => ({ size, snapshots }))).map(
  ({ size, snapshots }, i, all) => {
    const previous = i === 0 ? undefined : all[i - 1]!;
    return variant(size, snapshots, previous && `S1-${previous.size.name}${previous.snapshots ? '-SNAP100' : ''}`);
  },
);
