// openEventStore(url): the one door to every store. Drivers are imported only when
// their store is opened, so an application on SQLite never loads pg, and the reverse.

import { StoreOpenError, ValidationError } from '../core/errors.js';
import { createEventStore, type EventStore, type EventStoreOptions } from './event-store.js';
import type { EventStorage } from './storage.js';

export const DEFAULT_STORE_URL = 'sqlite:./data/eventline.db';

/** The store URL from EVENTLINE_STORE, else the SQLite default. */
export function defaultStoreUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVENTLINE_STORE || DEFAULT_STORE_URL;
}

/**
 * Opens a store by URL:
 * - `memory:`
 * - `sqlite:<file>` (or `sqlite::memory:`), with `?synchronous=normal|full`
 * - `postgres://user@host:port/db`, with `?schema=name` (default `eventline`) and `&pool=N`
 *
 * @example
 * const store = await openEventStore('sqlite:./data/blog.db');
 * await store.appendToStream('post-1', [{ type: 'PostWasCreated', data: { title: 'Hello' } }]);
 */
export async function openEventStore(url: string, options: OpenOptions = {}): Promise<EventStore> {
  const { create, ...storeOptions } = options;
  return createEventStore(await openStorage(url, { create }), storeOptions);
}

export interface OpenOptions extends EventStoreOptions {
  /**
   * Whether opening a store that does not exist yet (a SQLite file, an Eventline schema
   * in PostgreSQL) creates it. Default true; with false, such a store is a StoreOpenError
   * and nothing is created. A memory store always starts empty.
   */
  create?: boolean | undefined;
}

/** Opens the storage under a store URL (for store authors and tests; applications use openEventStore). */
export async function openStorage(url: string, { create = true }: { create?: boolean | undefined } = {}): Promise<EventStorage<unknown>> {
  if (typeof url !== 'string' || url.length === 0) {
    throw new StoreOpenError(String(url), 'the store URL must be a non-empty string');
  }
  try {
    if (url === 'memory:') {
      const { createMemoryStorage } = await import('../stores/memory/memory-storage.js');
      return createMemoryStorage();
    }
    if (url.startsWith('sqlite:')) {
      const { path, params } = splitParams(url.slice('sqlite:'.length));
      if (path === '') throw new StoreOpenError(url, 'a SQLite URL needs a file path, as in sqlite:./data/eventline.db');
      rejectRepeated(url, params);
      const synchronous = take(params, 'synchronous', ['normal', 'full'] as const);
      rejectUnknown(url, params);
      const { openSqliteStorage } = await import('../stores/sqlite/sqlite-storage.js');
      return await openSqliteStorage(url, { path, create, ...(synchronous && { synchronous }) });
    }
    if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
      const parsed = new URL(url);
      rejectRepeated(url, parsed.searchParams);
      const schema = parsed.searchParams.get('schema') ?? undefined;
      const pool = parsed.searchParams.get('pool');
      parsed.searchParams.delete('schema');
      parsed.searchParams.delete('pool');
      // The driver ignores a parameter it does not know: a misspelled schema would quietly
      // open the default one.
      rejectUnknown(url, parsed.searchParams, POSTGRES_PARAMETERS, `a PostgreSQL URL takes schema, pool and ${[...POSTGRES_PARAMETERS].join(', ')}`);
      const poolSize = pool === null ? undefined : Number(pool);
      if (poolSize !== undefined && (!Number.isSafeInteger(poolSize) || poolSize < 1)) {
        throw new StoreOpenError(url, `pool must be a whole number >= 1, got ${JSON.stringify(pool)}`);
      }
      const { openPostgresStorage } = await import('../stores/postgres/postgres-storage.js');
      return await openPostgresStorage(url, { connectionString: parsed.toString(), schema, poolSize, create });
    }
  } catch (error) {
    if (error instanceof StoreOpenError) throw error;
    const message = error instanceof ValidationError ? error.message : `${(error as Error).message}`;
    throw new StoreOpenError(url, message, { cause: error });
  }
  throw new StoreOpenError(url, `unknown kind of store; use memory:, sqlite:<file> or postgres://…`);
}

/** The connection parameters of a URL that node-postgres reads, besides Eventline's schema and pool. */
const POSTGRES_PARAMETERS = new Set([
  'host', 'port', 'user', 'password', 'db', 'encoding', 'client_encoding', 'options',
  'application_name', 'fallback_application_name',
  'ssl', 'sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'sslnegotiation', 'uselibpqcompat',
  'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'query_timeout',
]);

function splitParams(rest: string): { path: string; params: URLSearchParams } {
  const at = rest.indexOf('?');
  if (at === -1) return { path: rest, params: new URLSearchParams() };
  return { path: rest.slice(0, at), params: new URLSearchParams(rest.slice(at + 1)) };
}

function take<const T extends readonly string[]>(params: URLSearchParams, name: string, allowed: T): T[number] | undefined {
  const value = params.get(name);
  params.delete(name);
  if (value === null) return undefined;
  const lower = value.toLowerCase();
  if (!allowed.includes(lower)) {
    throw new ValidationError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return lower as T[number];
}

/** A parameter given twice would quietly take its first value. */
function rejectRepeated(url: string, params: URLSearchParams): void {
  const names = [...params.keys()];
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new StoreOpenError(url, `parameter ${repeated} is given more than once`);
}

/** Refuses any parameter not in `known`, saying what the URL `takes` where given. */
function rejectUnknown(url: string, params: URLSearchParams, known: ReadonlySet<string> = new Set(), takes?: string): void {
  const unknown = [...params.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) throw new StoreOpenError(url, `unknown parameter ${unknown.join(', ')}${takes === undefined ? '' : `; ${takes}`}`);
}
