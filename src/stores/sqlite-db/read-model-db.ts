// ReadModelDb on a better-sqlite3 connection. The driver is synchronous; the promises
// only give projections one interface for every store. Statements are prepared once.

import type { Database, Statement } from 'better-sqlite3';
import type { ReadModelDb, ReadModelTables, SqlValue } from '../../store/read-models.js';
import { bindInOrder, positional, substituteTables } from '../../store/sql-text.js';

const MAX_CACHED = 500;

export function createSqliteStatements(db: Database) {
  const cache = new Map<string, { statement: Statement; order: number[] }>();
  return function prepare(sql: string) {
    let entry = cache.get(sql);
    if (!entry) {
      const { text, order } = positional(sql);
      if (cache.size >= MAX_CACHED) cache.clear();
      entry = { statement: db.prepare(text), order };
      cache.set(sql, entry);
    }
    return entry;
  };
}

export function sqliteReadModelDb(db: Database, prepare: ReturnType<typeof createSqliteStatements>, tables: ReadModelTables): ReadModelDb {
  const texts = new Map<string, string>();
  const resolve = (sql: string, params: readonly SqlValue[]) => {
    let text = texts.get(sql);
    if (text === undefined) {
      text = substituteTables(sql, tables);
      texts.set(sql, text);
    }
    const { statement, order } = prepare(text);
    return { statement, values: bindInOrder(params, order) };
  };
  return {
    dialect: 'sqlite',
    async exec(sql) {
      db.exec(substituteTables(sql, tables));
    },
    async run(sql, params = []) {
      const { statement, values } = resolve(sql, params);
      return statement.reader ? (statement.all(...values), 0) : statement.run(...values).changes;
    },
    async all<Row extends object>(sql: string, params: readonly SqlValue[] = []) {
      const { statement, values } = resolve(sql, params);
      return statement.all(...values) as Row[];
    },
    async get<Row extends object>(sql: string, params: readonly SqlValue[] = []) {
      const { statement, values } = resolve(sql, params);
      return statement.get(...values) as Row | undefined;
    },
    // A statement costs no round trip here: it runs at once, and an error throws at once.
    defer(sql, params = []) {
      const { statement, values } = resolve(sql, params);
      if (statement.reader) statement.all(...values);
      else statement.run(...values);
    },
    async flush() {},
  };
}
