// Untimed set-up through each store's own append, so every store reads its own format.

import type { BenchStore } from './adapter.js';
import { postEvents, type BenchEvent } from './events.js';
import { mustAppend } from './workload.js';

const CHUNK = 100;

/** One stream of `count` events (by default the posts' events of events.ts), appended 100 at a time. */
export async function seedStream(
  store: Pick<BenchStore, 'append'>,
  streamId: string,
  count: number,
  eventsOf: (streamId: string, from: number, size: number) => BenchEvent[] = postEvents,
): Promise<void> {
  for (let version = 0; version < count; version += CHUNK) {
    const size = Math.min(CHUNK, count - version);
    mustAppend(await store.append(streamId, eventsOf(streamId, version + 1, size), version), streamId);
  }
}

/** A store of `total` events: streams of 100 events each (the last may be shorter). */
export async function seedStore(store: BenchStore, total: number): Promise<void> {
  for (let s = 0; s * CHUNK < total; s++) {
    const streamId = `post-${s}`;
    mustAppend(await store.append(streamId, postEvents(streamId, 1, Math.min(CHUNK, total - s * CHUNK)), 0), streamId);
  }
}
