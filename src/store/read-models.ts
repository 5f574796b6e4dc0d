// Read models live in real tables beside the events, so a projection's rows and its
// checkpoint change in one transaction. A store that can host them offers
// ReadModelStorage; projections talk to it through ReadModelDb, one small SQL
// interface that SQLite and PostgreSQL both implement.

/** A value bound to a statement. Booleans and dates are not portable: store 0/1 and milliseconds. */
export type SqlValue = string | number | bigint | null;

/**
 * SQL access inside one transaction. Statements use `$1, $2, …` placeholders on every
 * store, and `{name}` for the tables the caller was given (see ReadModelTables).
 */
export interface ReadModelDb {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs one or more statements without parameters (table set-up). */
  exec(sql: string): Promise<void>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  all<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /**
   * Queues a statement whose result the caller does not need, as most projection writes.
   * Queued statements run in order before the next exec, run, all, get or flush on the
   * same transaction, and before it commits; an error in one fails that call. On
   * PostgreSQL the whole queue travels in one round trip instead of one per statement;
   * on SQLite the statement runs at once.
   */
  defer(sql: string, params?: readonly SqlValue[]): void;
  /** Runs the queued statements now. */
  flush(): Promise<void>;
}

/** Logical table name → the quoted, qualified name to use in SQL. */
export type ReadModelTables = Readonly<Record<string, string>>;

export interface Lease {
  /** False once the lease was lost (the connection holding it closed). */
  readonly held: boolean;
  release(): Promise<void>;
}

export interface ReadModelStorage {
  readonly dialect: 'sqlite' | 'postgres';
  /** The quoted, qualified name of a table in the store's namespace. */
  table(name: string): string;
  /** A table that lives only as long as the connection running `transaction` (for replays). */
  temporaryTable(name: string): string;
  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(tables: ReadModelTables, work: (db: ReadModelDb) => Promise<T>): Promise<T>;
  /** Tries to become the one process running `name`; undefined when another holds it. */
  tryLease(name: string): Promise<Lease | undefined>;
  /**
   * Every read-model table (none of the store's own), in name order, with its columns:
   * what a copy of the store carries over. Optional for other storages.
   */
  describeTables?(): Promise<ReadModelTable[]>;
}

export interface ReadModelTable {
  /** The table's name, as `table(name)` takes it. */
  name: string;
  columns: ReadModelColumn[];
}

export interface ReadModelColumn {
  name: string;
  /** The declared type, as the store's catalogue gives it ('TEXT', 'bigint', '' for none in SQLite). */
  type: string;
  notNull: boolean;
  /** Its place in the primary key from 1; 0 when it is not in it. */
  primaryKey: number;
}

/** A private read-model database that lives until `close()`: rows built there leave the live tables alone. */
export interface ScratchReadModels extends ReadModelStorage {
  close(): void;
}

/** How the catalogue knows a read-model table: by its bare name in SQLite, by its quoted, qualified one in PostgreSQL. */
export function catalogName(readModels: ReadModelStorage, table: string): string {
  return readModels.dialect === 'sqlite' ? table : readModels.table(table);
}

const TABLE_EXISTS = {
  sqlite: `SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = $1`,
  postgres: `SELECT 1 AS found WHERE to_regclass($1) IS NOT NULL`,
};

/** Whether the read-model table `table` exists, asked in one of `readModels`' transactions (reading it before it is made creates nothing). */
export async function tableExists(db: ReadModelDb, readModels: ReadModelStorage, table: string): Promise<boolean> {
  return (await db.get(TABLE_EXISTS[db.dialect], [catalogName(readModels, table)])) !== undefined;
}
