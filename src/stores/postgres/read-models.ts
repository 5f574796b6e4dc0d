// Read models in the store's PostgreSQL schema. A transaction runs on one pooled
// connection; a projection's lease is a session advisory lock on a connection of its
// own, so it ends the moment its process dies and another process can take over.

import type { ClientBase, Pool, PoolConfig } from 'pg';
import type { Lease, ReadModelDb, ReadModelStorage, ReadModelTable, ReadModelTables, SqlValue } from '../../store/read-models.js';
import { inlineValues, substituteTables } from '../../store/sql-text.js';
import { LOCK_PROJECTION, lockKey, quoteSchema } from './identifiers.js';
import { loadPg } from './driver.js';

// Deferred statements wait per connection, so every ReadModelDb of one transaction
// shares one queue and one order.
const queues = new WeakMap<ClientBase, string[]>();

/** Sends the statements deferred on `client` as one text: one round trip. */
export async function flushDeferred(client: ClientBase): Promise<void> {
  const queue = queues.get(client);
  if (queue === undefined || queue.length === 0) return;
  queues.delete(client);
  await client.query(queue.join(';\n'));
}

/** Forgets what was deferred on `client`: its transaction is being rolled back. */
export function discardDeferred(client: ClientBase): void {
  queues.delete(client);
}

export interface TransactionTexts<T> {
  /** What opens it (default BEGIN): a text may take a lock in the same round trip. */
  begin?: string;
  /** What closes it, given the work's result (default COMMIT). */
  commit?: (result: T) => string;
}

/**
 * Runs `work` on one pooled connection in a transaction: the statements it deferred are
 * sent and it commits when `work` resolves; nothing it did stays when it throws.
 */
export async function inTransaction<T>(pool: Pool, work: (client: ClientBase) => Promise<T>, texts: TransactionTexts<T> = {}): Promise<T> {
  const client = await pool.connect();
  try {
    try {
      await client.query(texts.begin ?? 'BEGIN');
      const result = await work(client);
      await flushDeferred(client);
      await client.query(texts.commit?.(result) ?? 'COMMIT');
      return result;
    } catch (error) {
      discardDeferred(client);
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}

export function postgresReadModelDb(client: ClientBase, tables: ReadModelTables): ReadModelDb {
  const texts = new Map<string, { text: string; name: string }>();
  const resolve = (sql: string) => {
    let entry = texts.get(sql);
    if (!entry) {
      const text = substituteTables(sql, tables);
      entry = { text, name: `rm_${hash(text)}` };
      texts.set(sql, entry);
    }
    return entry;
  };
  const query = async <Row extends object>(sql: string, params: readonly SqlValue[]) => {
    await flushDeferred(client);
    const { text, name } = resolve(sql);
    // Named statements are prepared once per connection and reused.
    const result = await client.query({ name, text, values: params as unknown[] });
    return { rows: result.rows as Row[], rowCount: result.rowCount };
  };
  return {
    dialect: 'postgres',
    async exec(sql) {
      await flushDeferred(client);
      await client.query(substituteTables(sql, tables));
    },
    async run(sql, params = []) {
      return (await query(sql, params)).rowCount ?? 0;
    },
    async all<Row extends object>(sql: string, params: readonly SqlValue[] = []) {
      return (await query<Row>(sql, params)).rows;
    },
    async get<Row extends object>(sql: string, params: readonly SqlValue[] = []): Promise<Row | undefined> {
      const { rows } = await query<Row>(sql, params);
      return rows[0];
    },
    defer(sql, params = []) {
      const text = inlineValues(resolve(sql).text, params);
      const queue = queues.get(client);
      if (queue) queue.push(text);
      else queues.set(client, [text]);
    },
    flush: () => flushDeferred(client),
  };
}

export function postgresReadModelStorage(pool: Pool, config: PoolConfig, schema: string): ReadModelStorage {
  const s = quoteSchema(schema);
  return {
    dialect: 'postgres',
    table: (name) => `${s}."${name}"`,
    temporaryTable: (name) => `pg_temp."${name}"`,
    transaction: (tables, work) => inTransaction(pool, (client) => work(postgresReadModelDb(client, tables))),
    async tryLease(name) {
      const pg = await loadPg();
      const client = new pg.Client(config);
      let held = true;
      client.on('error', () => (held = false));
      client.on('end', () => (held = false));
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
        LOCK_PROJECTION,
        lockKey(`${schema}.${name}`),
      ]);
      if (!rows[0]!.locked) {
        await client.end();
        return undefined;
      }
      const lease: Lease = {
        get held() {
          return held;
        },
        async release() {
          held = false;
          await client.end().catch(() => {});
        },
      };
      return lease;
    },
    describeTables: () => describeTables(pool, schema),
  };
}

/** The store's own tables in its schema (schema.ts), which are no read models. */
const STORE_TABLES = ['schema_version', 'events', 'streams', 'snapshots', 'event_id_tag', 'pruned_events', 'store_epoch'];

// Every ordinary table of the schema but the store's own, with its columns in order and
// each column's place in the primary key (format_type: the type as it was declared).
const DESCRIBE_TABLES = `
  SELECT c.relname AS "table", a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull",
    coalesce(array_position(k.conkey, a.attnum), 0) AS "primaryKey"
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT (c.relname = ANY ($2::text[]))
  ORDER BY c.relname, a.attnum`;

async function describeTables(pool: Pool, schema: string): Promise<ReadModelTable[]> {
  const { rows } = await pool.query<{ table: string; name: string; type: string; notNull: boolean; primaryKey: number }>(DESCRIBE_TABLES, [schema, STORE_TABLES]);
  const tables = new Map<string, ReadModelTable>();
  for (const { table, ...column } of rows) {
    let described = tables.get(table);
    if (described === undefined) tables.set(table, (described = { name: table, columns: [] }));
    described.columns.push(column);
  }
  return [...tables.values()];
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36) + text.length.toString(36);
}
