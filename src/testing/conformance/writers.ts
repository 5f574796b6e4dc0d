// The writer loop shared by in-process and multi-process concurrency cases.

import { ConcurrencyError } from '../../core/errors.js';
import type { EventStore } from '../../store/event-store.js';

/**
 * Appends the `seq`th batch of `writer` with the exact expected version, re-reading
 * the stream's version after each conflict. Returns the number of conflicts.
 */
export async function appendWithRetry(store: EventStore, streamId: string, writer: string, seq: number, perAppend = 1): Promise<number> {
  const events = Array.from({ length: perAppend }, (_, i) => ({ type: 'Written', data: { writer, seq, i } }));
  for (let conflicts = 0; ; conflicts++) {
    const [last] = await store.readStream(streamId, { direction: 'backward', maxCount: 1 });
    try {
      await store.appendToStream(streamId, events, { expectedVersion: last?.version ?? 0 });
      return conflicts;
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || conflicts > 10_000) throw error;
    }
  }
}
