// The memory store keeps read models in memory too: an in-memory SQLite database,
// opened the first time a projection needs it, so projections written once run on
// every store. Nothing is written to disk.

import type { ReadModelDb, ReadModelStorage, ReadModelTables } from '../../store/read-models.js';

type DbFor = (tables: ReadModelTables) => ReadModelDb;

export interface MemoryReadModels extends ReadModelStorage {
  /** A transaction over the read-model database, for an append's inline work. */
  during<T>(work: (dbFor: DbFor) => Promise<T>): Promise<T>;
  close(): void;
}

export function createMemoryReadModels(): MemoryReadModels {
  let opened: Promise<{ storage: ReturnType<typeof import('../sqlite/read-model-storage.js').sqliteReadModelStorage>; close(): void }> | undefined;

  const open = () =>
    (opened ??= (async () => {
      const [{ openDatabase }, { createConnectionLock }, { sqliteReadModelStorage }] = await Promise.all([
        import('../sqlite/driver.js'),
        import('../sqlite/connection-lock.js'),
        import('../sqlite/read-model-storage.js'),
      ]);
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
    close() {
      // A database that failed to open has nothing to close; its error went to whoever used it.
      void opened?.then(
        (db) => db.close(),
        () => {},
      );
    },
  };
}
