// Read models in a SQLite database: tables beside the events (or, in memory, a
// database of their own: memory-read-models.ts), written in held transactions.

import type { Database } from 'better-sqlite3';
import type { ReadModelStorage } from '../../store/read-models.js';
import type { ConnectionLock } from './connection-lock.js';
import { describeSqliteTables } from './describe-tables.js';
import { createSqliteStatements, sqliteReadModelDb } from './read-model-db.js';

/** `ownTables`: the store's own tables in the same file, which are no read models. */
export function sqliteReadModelStorage(
  db: Database,
  lock: ConnectionLock,
  ownTables: ReadonlySet<string> = new Set(),
): ReadModelStorage & Required<Pick<ReadModelStorage, 'describeTables'>> & { dbFor: ReturnType<typeof dbFactory> } {
  const dbFor = dbFactory(db);
  return {
    dialect: 'sqlite',
    table: (name) => `"${name}"`,
    temporaryTable: (name) => `temp."${name}"`,
    transaction: (tables, work) => lock.transaction(() => work(dbFor(tables))),
    // One file, one machine: runners in several processes stay correct through the
    // checkpoint check in each batch, so every process may run every projection.
    async tryLease() {
      return { held: true, release: async () => {} };
    },
    describeTables: () => lock.run(() => describeSqliteTables(db, ownTables)),
    dbFor,
  };
}

function dbFactory(db: Database) {
  const prepare = createSqliteStatements(db);
  return (tables: Parameters<typeof sqliteReadModelDb>[2]) => sqliteReadModelDb(db, prepare, tables);
}
