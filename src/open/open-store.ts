// openEventStore(url): the one door to every store, and the one part of Eventline that
// knows them all. Each store's folder owns its URL grammar (url.ts); a store's module,
// and with it its driver, is imported only when that store is opened, so an application
// on SQLite never loads pg, and the reverse.

import { StoreOpenError, ValidationError } from '../core/errors.js';
import { createEventStore, type EventStore, type EventStoreOptions } from '../store/event-store.js';
import type { EventStorage } from '../store/storage.js';
import { isMemoryUrl } from '../stores/memory/url.js';
import { isPostgresUrl, parsePostgresUrl } from '../stores/postgres/url.js';
import { isSqliteUrl, parseSqliteUrl } from '../stores/sqlite/url.js';

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
    if (isMemoryUrl(url)) {
      const { createMemoryStorage } = await import('../stores/memory/memory-storage.js');
      return createMemoryStorage();
    }
    if (isSqliteUrl(url)) {
      const options = parseSqliteUrl(url);
      const { openSqliteStorage } = await import('../stores/sqlite/sqlite-storage.js');
      return await openSqliteStorage(url, { ...options, create });
    }
    if (isPostgresUrl(url)) {
      const options = parsePostgresUrl(url);
      const { openPostgresStorage } = await import('../stores/postgres/postgres-storage.js');
      return await openPostgresStorage(url, { ...options, create });
    }
  } catch (error) {
    if (error instanceof StoreOpenError) throw error;
    const message = error instanceof ValidationError ? error.message : `${(error as Error).message}`;
    throw new StoreOpenError(url, message, { cause: error });
  }
  throw new StoreOpenError(url, `unknown kind of store; use memory:, sqlite:<file> or postgres://…`);
}
