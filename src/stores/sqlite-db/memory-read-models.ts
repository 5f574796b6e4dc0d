// Read models in an in-memory SQLite database, opened the first time they are used:
// the memory store keeps its read models here, so projections written once run on
// every store, and every store offers one as its scratch database, where a projection
// is replayed off to the side of the live tables. Nothing is written to disk.

import type { ReadModelDb, ReadModelTables, ScratchReadModels } from '../../store/read-models.js';
import { createConnectionLock } from './connection-lock.js';
import { openDatabase } from './driver.js';
import { sqliteReadModelStorage } from './read-model-storage.js';

type DbFor = (tables: ReadModelTables) => ReadModelDb;

export interface MemoryReadModels extends ScratchReadModels {
  /** A transaction over the read-model database, for an append's inline work. */
  during<T>(work: (dbFor: DbFor) => Promise<T>): Promise<T>;
}

export function createMemoryReadModels(): MemoryReadModels {
  let opened: Promise<{ storage: ReturnType<typeof sqliteReadModelStorage>; close(): void }> | undefined;

  // better-sqlite3 itself loads only here, when a projection first needs a table.
  const open = () =>
    (opened ??= (async () => {
      const db = await openDatabase(':memory:');
      const storage = sqliteReadModelStorage(db, createConnectionLock(db, (operation) => operation()));
      return { storage, close: () => db.close() };
    })());

  return {
    dialect: 'sqlite',
    table: (name) => `"${name}"`,
    temporaryTable: (name) => `temp."${name}"`,
    async transaction(tables, work) {
      const { storage } = await open();
      return storage.transaction(tables, work);
    },
    async during(work) {
      const { storage } = await open();
      return storage.transaction({}, () => work(storage.dbFor));
    },
    async tryLease() {
      return { held: true, release: async () => {} };
    },
    async describeTables() {
      const { storage } = await open();
      return storage.describeTables();
    },
    close() {
      // A database that failed to open has nothing to close; its error went to whoever used it.
      void opened?.then(
        (db) => db.close(),
        () => {},
      );
    },
  };
}
