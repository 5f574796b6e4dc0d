// W4-W6: reading one stream, folding it, reading the whole store. Each reads once
// untimed first, so it measures the read and not the first call's warm-up, nor how much
// of a store that sat idle the machine has paged out meanwhile (these machines page out
// file pages left untouched for about a minute).
// W4 and W5 then time several reads together: one read of a stream takes tens of
// milliseconds, and a single one is as often as not the read that a garbage collection
// happened to fall into.

import type { BenchStore } from './adapter.js';
import { evolvePost, initialPost, type PostState } from './events.js';
import { seedStore, seedStream } from './seed.js';
import { ALL_KINDS, perSecond, timed, type Workload } from './workload.js';

const STREAM = 'post-reads';
/** Reads timed together in W4 and W5; the figure is their mean. */
const TIMED_READS = 5;

export const w4: Workload = {
  id: 'W4',
  label: 'W4 read one stream in full',
  unit: 'events/s',
  kinds: ALL_KINDS,
  async run({ store, sizes }) {
    const n = sizes.streamEvents;
    await seedStream(store, STREAM, n);
    await store.readStream(STREAM);
    let read = 0;
    const ms = await timed(async () => {
      for (let i = 0; i < TIMED_READS; i++) read = (await store.readStream(STREAM)).length;
    });
    if (read !== n) throw new Error(`read ${read} events of ${n}`);
    return { value: perSecond(n * TIMED_READS, ms) };
  },
};

export const w5: Workload = {
  id: 'W5',
  label: 'W5 fold one stream into a state',
  unit: 'ms',
  kinds: ALL_KINDS,
  // W4 leaves the very stream W5 folds.
  reuses: 'W4',
  async run({ store, sizes, seeded }) {
    const n = sizes.streamEvents;
    if (!seeded) await seedStream(store, STREAM, n);
    await fold(store, STREAM);
    let state = initialPost();
    const ms = await timed(async () => {
      for (let i = 0; i < TIMED_READS; i++) state = await fold(store, STREAM);
    });
    if (state.edits !== n - 1 || state.postId !== STREAM) throw new Error(`the fold saw ${state.edits + 1} events of ${n}`);
    return { value: ms / TIMED_READS };
  },
};

function fold(store: BenchStore, streamId: string): Promise<PostState> {
  if (store.aggregate) return store.aggregate(streamId);
  return store.readStream(streamId).then((events) => events.reduce(evolvePost, initialPost()));
}

export const w6: Workload = {
  id: 'W6',
  label: 'W6 read all events in position order',
  unit: 'events/s',
  kinds: ALL_KINDS,
  // W3 leaves exactly the store W6 reads: its streams of 100 events.
  reuses: 'W3',
  async run({ store, sizes, seeded }) {
    if (!store.readAll) return { skipped: store.noReadAll ?? 'no API to read all events' };
    const total = sizes.storeEvents;
    if (!seeded) await seedStore(store, total);
    await store.readAll(() => {});
    let read = 0;
    const ms = await timed(() =>
      store.readAll!(() => {
        read++;
      }),
    );
    if (read !== total) throw new Error(`read ${read} events of ${total}`);
    return { value: perSecond(total, ms) };
  },
};
