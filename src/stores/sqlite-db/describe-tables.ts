// The read-model tables of a SQLite database and their columns, from its catalogue:
// what a copy of the store carries over. The store's own tables are left out by name.

import type { Database } from 'better-sqlite3';
import type { ReadModelTable } from '../../store/read-models.js';

// sqlite_% are SQLite's own (sqlite_sequence, sqlite_stat1).
const TABLES = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`;

interface ColumnRow {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

/** Every table of `db` but `ownTables`, with its columns in their order. */
export function describeSqliteTables(db: Database, ownTables: ReadonlySet<string>): ReadModelTable[] {
  const names = (db.prepare(TABLES).pluck().all() as string[]).filter((name) => !ownTables.has(name));
  return names.map((name) => ({
    name,
    // A table name cannot be bound; it comes from the catalogue and is quoted.
    columns: (db.prepare(`PRAGMA table_info("${name.replaceAll('"', '""')}")`).all() as ColumnRow[]).map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.notnull === 1,
      primaryKey: c.pk,
    })),
  }));
}
