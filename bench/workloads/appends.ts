// W1-W3: appends awaited one after another, as a command handler makes them.

import type { BenchStore } from './adapter.js';
import { postEvent } from './events.js';
import { seedStore } from './seed.js';
import { ALL_KINDS, mustAppend, perSecond, timed, type Workload } from './workload.js';

export const w1: Workload = {
  id: 'W1',
  label: 'W1 appends, 1 event to a new stream',
  unit: 'events/s',
  kinds: ALL_KINDS,
  async run({ store, sizes }) {
    const n = sizes.w1Appends;
    const ms = await timed(async () => {
      for (let i = 0; i < n; i++) {
        const streamId = `post-${i}`;
        mustAppend(await store.append(streamId, [postEvent(streamId, 1)], 0), streamId);
      }
    });
    return { value: perSecond(n, ms) };
  },
};

export const w2: Workload = {
  id: 'W2',
  label: 'W2 appends, 1 event to one stream',
  unit: 'events/s',
  kinds: ALL_KINDS,
  async run({ store, sizes }) {
    const n = sizes.w2Appends;
    let version = 0;
    const ms = await timed(async () => (version = await appendOneByOne(store, W2_STREAM, 0, n)));
    if (version !== n) throw new Error(`the stream ended at version ${version}, not ${n}`);
    return { value: perSecond(n, ms) };
  },
};

/**
 * W2 warm: the same 5,000 appends, timed after 5,000 untimed ones to the same stream in
 * the same process, so the store's code is optimised and its stream already long. W2 in
 * a fresh process measures mostly code that has not been optimised yet.
 */
export const w2Warm: Workload = {
  id: 'W2-WARM',
  group: 'W2',
  label: 'W2 warm: 5,000 untimed appends to the stream first',
  unit: 'events/s',
  kinds: ['memory'],
  async run({ store, sizes }) {
    const n = sizes.w2Appends;
    await appendOneByOne(store, W2_STREAM, 0, n);
    let version = 0;
    const ms = await timed(async () => (version = await appendOneByOne(store, W2_STREAM, n, n)));
    if (version !== 2 * n) throw new Error(`the stream ended at version ${version}, not ${2 * n}`);
    return { value: perSecond(n, ms) };
  },
};

const W2_STREAM = 'post-w2';

/** `n` appends of one event each to a stream at version `from`, each with its exact expected version; resolves to the last version. */
async function appendOneByOne(store: BenchStore, streamId: string, from: number, n: number): Promise<number> {
  let version = from;
  for (let i = 0; i < n; i++) {
    const outcome = await store.append(streamId, [postEvent(streamId, version + 1)], version);
    mustAppend(outcome, streamId);
    if (outcome.ok) version = outcome.nextVersion;
  }
  return version;
}

export const w3: Workload = {
  id: 'W3',
  label: 'W3 appends, 100 events to a new stream',
  unit: 'events/s',
  kinds: ALL_KINDS,
  async run({ store, sizes }) {
    // The very store seedStore makes for W6, timed.
    const total = sizes.w3Streams * sizes.w3EventsPerAppend;
    const ms = await timed(() => seedStore(store, total));
    return { value: perSecond(total, ms) };
  },
};
