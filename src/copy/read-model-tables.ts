// A copy carries every read-model table of the source over to the target as rows: the
// projections' tables, the workflow runtime's and the outbox relay's. The source's rows
// are read in one transaction (one snapshot), so each consumer's rows and checkpoint
// agree; the target's tables are written in one transaction, made first where missing,
// with the checkpoints translated through the position map. Indexes are not carried:
// each consumer makes its own as it starts (its setup runs CREATE INDEX IF NOT EXISTS).

import type { EventStore } from '../store/event-store.js';
import type { ReadModelColumn, ReadModelDb, ReadModelStorage, ReadModelTable, SqlValue } from '../store/read-models.js';
import { holdsPositions, translateRow, type Row, type TranslatedCheckpoint } from './checkpoints.js';
import { columnType, columnValue } from './column-types.js';
import { POSITION_MAP } from './position-map.js';

export interface TableRows {
  table: ReadModelTable;
  rows: Row[];
}

export interface ReadModelSnapshot {
  dialect: 'sqlite' | 'postgres';
  tables: TableRows[];
}

/** The map of a copy belongs to its target: a source that was once a copy's target keeps its own. */
const carried = (table: ReadModelTable) => table.name !== POSITION_MAP;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters and SQLite's 32,766. */
const PARAMETERS_PER_INSERT = 30_000;

function readModelsOf(store: EventStore): ReadModelStorage | undefined {
  try {
    return store.readModels;
  } catch {
    return undefined;
  }
}

/** Every read-model table of the store with all its rows, read in one snapshot. */
export async function readReadModels(store: EventStore): Promise<ReadModelSnapshot | undefined> {
  const readModels = readModelsOf(store);
  if (readModels?.describeTables === undefined) return undefined;
  const tables = (await readModels.describeTables()).filter(carried);
  const mapping = Object.fromEntries(tables.map((t) => [t.name, readModels.table(t.name)]));
  const rows = await readModels.transaction(mapping, async (db) => {
    // Every SELECT of the transaction sees the same snapshot (SQLite's transaction already does).
    if (db.dialect === 'postgres') await db.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const all: TableRows[] = [];
    for (const table of tables) all.push({ table, rows: await db.all<Row>(`SELECT * FROM {${table.name}}`) });
    return all;
  });
  return { dialect: readModels.dialect, tables: rows };
}

export interface WrittenReadModels {
  tables: number;
  rows: number;
  checkpoints: TranslatedCheckpoint[];
}

/** Replaces the target's copies of the tables with the snapshot's rows, checkpoints translated and under the target's `epoch`, in one transaction. */
export async function writeReadModels(target: EventStore, snapshot: ReadModelSnapshot, translate: (position: number) => number, epoch: string): Promise<WrittenReadModels> {
  const readModels = target.readModels;
  const mapping = Object.fromEntries(snapshot.tables.map(({ table }) => [table.name, readModels.table(table.name)]));
  const checkpoints: TranslatedCheckpoint[] = [];
  let rows = 0;
  await readModels.transaction(mapping, async (db) => {
    for (const { table, rows: tableRows } of snapshot.tables) {
      await db.exec(createTable(table, snapshot.dialect, db.dialect));
      await db.run(`DELETE FROM {${table.name}}`);
      const translated = holdsPositions(table.name)
        ? tableRows.map((row) => {
            const { row: out, checkpoint } = translateRow(table.name, row, translate, epoch);
            checkpoints.push(checkpoint);
            return out;
          })
        : tableRows;
      await insertRows(db, table, translated);
      rows += tableRows.length;
    }
  });
  return { tables: snapshot.tables.length, rows, checkpoints };
}

function createTable(table: ReadModelTable, from: 'sqlite' | 'postgres', to: 'sqlite' | 'postgres'): string {
  const columns = table.columns.map((c) => `${quote(c.name)} ${columnType(c.type, from, to)}${c.notNull ? ' NOT NULL' : ''}`.trimEnd());
  const key = table.columns.filter((c) => c.primaryKey > 0).sort((a, b) => a.primaryKey - b.primaryKey);
  if (key.length > 0) columns.push(`PRIMARY KEY (${key.map((c: ReadModelColumn) => quote(c.name)).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS {${table.name}} (${columns.join(', ')})`;
}

async function insertRows(db: ReadModelDb, table: ReadModelTable, rows: readonly Row[]): Promise<void> {
  const names = table.columns.map((c) => c.name);
  const perInsert = Math.max(1, Math.floor(PARAMETERS_PER_INSERT / names.length));
  for (let start = 0; start < rows.length; start += perInsert) {
    const chunk = rows.slice(start, start + perInsert);
    const params: SqlValue[] = [];
    const tuples = chunk.map((row) => `(${names.map((name) => `$${params.push(columnValue(row[name], db.dialect) as SqlValue)}`).join(', ')})`);
    await db.run(`INSERT INTO {${table.name}} (${names.map(quote).join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }
}

