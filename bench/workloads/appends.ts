// W1-W3: appends awaited one after another, as a command handler makes them.

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
    const streamId = 'post-w2';
    let version = 0;
    const ms = await timed(async () => {
      for (let i = 0; i < n; i++) {
        const outcome = await store.append(streamId, [postEvent(streamId, version + 1)], version);
        mustAppend(outcome, streamId);
        if (outcome.ok) version = outcome.nextVersion;
      }
    });
    if (version !== n) throw new Error(`the stream ended at version ${version}, not ${n}`);
    return { value: perSecond(n, ms) };
  },
};

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
