// Eventline's own stores, opened by URL as an application opens them.

import { ConcurrencyError, openEventStore, type EventStore } from '../../src/index.js';
import { conflict, type BenchStore, type OpenStore, type Scratch } from '../adapter.js';
import { PAGE_SIZE } from '../workloads/sizes.js';

export const openMemory: OpenStore = () => open('memory:');
export const openSqlite: OpenStore = (scratch) => open(`sqlite:${scratch.sqlitePath}`);
export const openSqliteFull: OpenStore = (scratch) => open(`sqlite:${scratch.sqlitePath}?synchronous=full`);
export const openPostgres: OpenStore = (scratch: Scratch) => open(`${scratch.postgresUrl}?schema=${scratch.name}`);

async function open(url: string): Promise<BenchStore> {
  const store: EventStore = await openEventStore(url);
  return {
    async append(streamId, events, expected) {
      try {
        const { nextExpectedVersion } = await store.appendToStream(streamId, events, {
          expectedVersion: expected === 0 ? 'no_stream' : expected,
        });
        return { ok: true, nextVersion: nextExpectedVersion };
      } catch (error) {
        // The error says where the stream is, so a writer retries without a read.
        if (error instanceof ConcurrencyError) return conflict(error.actual);
        throw error;
      }
    },
    readStream: (streamId) => store.readStream(streamId),
    versionedStream: (streamId) => store.readStream(streamId),
    async currentVersion(streamId) {
      const [last] = await store.readStream(streamId, { direction: 'backward', maxCount: 1 });
      return last?.version ?? 0;
    },
    async readAll(visit) {
      for await (const event of store.readAll({ batchSize: PAGE_SIZE })) visit(event);
    },
    close: () => store.close(),
  };
}
