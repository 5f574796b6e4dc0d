// Emmett's SQLite store in its default set-up: a file, a connection opened per
// operation (sqlite3 package, WAL, sqlite3's default synchronous).

import { getSQLiteEventStore, readMessagesBatch, sqliteConnection } from '@event-driven-io/emmett-sqlite';
import type { OpenStore } from '../adapter.js';
import { PAGE_SIZE } from '../workloads/sizes.js';
import { emmettBasics } from './emmett.js';

export const open: OpenStore = async (scratch) => {
  const fileName = scratch.sqlitePath;
  const store = getSQLiteEventStore({ fileName });
  // Create the schema before any timing starts.
  await store.schema.migrate();
  return {
    ...emmettBasics(store),

    // Emmett reads all events through consumers that store a checkpoint per message;
    // its batch reader underneath them is the fastest public way, so that is measured.
    async readAll(visit) {
      const connection = sqliteConnection({ fileName });
      try {
        let after = 0n;
        while (true) {
          const batch = await readMessagesBatch(connection, { after, batchSize: PAGE_SIZE });
          batch.messages.forEach(visit);
          if (!batch.areEventsLeft) return;
          after = batch.currentGlobalPosition;
        }
      } finally {
        connection.close();
      }
    },

    async close() {},
  };
};

/** The SQLite under Emmett's store and what a fresh connection of it runs with. */
export async function describeDriver(path: string): Promise<string> {
  const connection = sqliteConnection({ fileName: path });
  try {
    const [version] = await connection.query<{ v: string }>('SELECT sqlite_version() AS v');
    const [journal] = await connection.query<{ journal_mode: string }>('PRAGMA journal_mode');
    const [sync] = await connection.query<{ synchronous: number }>('PRAGMA synchronous');
    const names = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
    return `sqlite3 package, SQLite ${version?.v}, journal_mode=${journal?.journal_mode}, synchronous=${names[sync?.synchronous ?? -1] ?? sync?.synchronous}`;
  } finally {
    connection.close();
  }
}
