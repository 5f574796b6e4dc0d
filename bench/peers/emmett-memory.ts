// Emmett's in-memory store, as getInMemoryEventStore() gives it.

import { getInMemoryEventStore } from '@event-driven-io/emmett';
import type { OpenStore } from '../workloads/adapter.js';
import { emmettBasics } from './emmett.js';

export const open: OpenStore = async () => {
  const store = getInMemoryEventStore();
  return {
    ...emmettBasics(store),
    // Here `from` is an array index, not a stream position as in Emmett's SQL stores,
    // and currentStreamVersion is always the stream's length: read from the index known.
    async currentVersion(streamId, known) {
      return Number((await store.readStream(streamId, { from: BigInt(known) })).currentStreamVersion);
    },
    noReadAll: 'no API: the in-memory store cannot read all events',
    async close() {},
  };
};
