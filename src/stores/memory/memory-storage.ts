// The learning store: a Map of streams and one global log, nothing more.
// It follows the same rules as the SQL stores, so every test can run on it.

import { compareCodePoints } from '../../core/compare.js';
import { checkExpectedVersion, idempotentResult } from '../../store/append-rules.js';
import type { EventStorage, StoredEvent, StoredEventId } from '../../store/storage.js';

export function createMemoryStorage(): EventStorage {
  const streams = new Map<string, StoredEvent[]>();
  const log: StoredEvent[] = [];
  const byEventId = new Map<string, StoredEvent>();
  let lastPosition = 0;

  return {
    kind: 'memory',

    async append(streamId, events, expectedVersion) {
      const existing: StoredEventId[] = [];
      for (const { eventId } of events) {
        const stored = byEventId.get(eventId);
        if (stored) existing.push(stored);
      }
      const retried = idempotentResult(streamId, events, existing);
      if (retried) return retried;

      const stream = streams.get(streamId) ?? [];
      const version = stream.length;
      checkExpectedVersion(streamId, expectedVersion, version);

      const recordedAt = new Date();
      events.forEach((event, i) => {
        const stored: StoredEvent = { ...event, streamId, version: version + i + 1, position: ++lastPosition, recordedAt };
        stream.push(stored);
        log.push(stored);
        byEventId.set(stored.eventId, stored);
      });
      streams.set(streamId, stream);
      return { nextExpectedVersion: stream.length, lastPosition };
    },

    async readStream(streamId, { fromVersion, maxCount, direction }) {
      const stream = streams.get(streamId) ?? [];
      if (direction === 'forward') {
        const start = Math.max(fromVersion, 1) - 1;
        return stream.slice(start, start + maxCount);
      }
      const end = Math.min(fromVersion, stream.length);
      return stream.slice(Math.max(end - maxCount, 0), end).reverse();
    },

    async readAllBatch(after, { types, streamPrefix }, limit) {
      const batch: StoredEvent[] = [];
      // Positions are 1..n with no gaps in memory, so `after` is also an index.
      for (let i = after; i < log.length && batch.length < limit; i++) {
        const event = log[i]!;
        if (types && !types.includes(event.type)) continue;
        if (streamPrefix !== undefined && !event.streamId.startsWith(streamPrefix)) continue;
        batch.push(event);
      }
      return batch;
    },

    async listStreams(after, limit) {
      return [...streams.keys()]
        .filter((id) => after === undefined || compareCodePoints(id, after) > 0)
        .sort(compareCodePoints)
        .slice(0, limit)
        .map((streamId) => ({ streamId, version: streams.get(streamId)!.length }));
    },

    async stats() {
      let bytes = 0;
      for (const e of log) bytes += Buffer.byteLength(e.data) + (e.metadata === null ? 0 : Buffer.byteLength(e.metadata));
      return { events: log.length, streams: streams.size, bytes };
    },

    async close() {},
  };
}
