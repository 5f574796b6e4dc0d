// Untimed set-up through each store's own append, so every store reads its own format.

import type { BenchStore } from './adapter.js';
import { postEvents } from './events.js';
import { mustAppend } from './workload.js';

const CHUNK = 100;

/** One stream of `count` events, appended 100 at a time. */
export async function seedStream(store: BenchStore, streamId: string, count: number): Promise<void> {
  for (let version = 0; version < count; version += CHUNK) {
    const size = Math.min(CHUNK, count - version);
    mustAppend(await store.append(streamId, postEvents(streamId, version + 1, size), version), streamId);
  }
}

/** A store of `total` events: streams of 100 events each (the last may be shorter). */
export async function seedStore(store: BenchStore, total: number): Promise<void> {
  for (let s = 0; s * CHUNK < total; s++) {
    const streamId = `post-${s}`;
    mustAppend(await store.append(streamId, postEvents(streamId, 1, Math.min(CHUNK, total - s * CHUNK)), 0), streamId);
  }
}
