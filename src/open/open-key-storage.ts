// openKeyStorage(url): the key storage that goes with an event store, chosen by the event
// store's URL, apart from the events: memory for `memory:`, a file keys.db beside a SQLite
// store's file, a schema `<schema>_keys` beside a PostgreSQL store's schema. As in
// open-store.ts, each store's module, and with it its driver, is imported only when that
// store is opened.

import { dirname, join } from 'node:path';
import { StoreOpenError, ValidationError } from '../core/errors.js';
import type { KeyStorage } from '../store/key-storage.js';
import { isMemoryUrl } from '../stores/memory/url.js';
import { isPostgresUrl, parsePostgresUrl } from '../stores/postgres/url.js';
import { isSqliteUrl, parseSqliteUrl } from '../stores/sqlite/url.js';

/** The name of a SQLite store's key file, in the folder of the event store's file. */
export const KEY_FILE_NAME = 'keys.db';

export interface KeyStorageOptions {
  /**
   * SQLite only: the key file, instead of keys.db beside the event store's file. (An
   * option rather than a URL parameter: the same URL opens the event store, whose URL
   * grammar refuses parameters it does not know.)
   */
  path?: string | undefined;
  /** PostgreSQL only: the key schema, instead of `<event schema>_keys`. */
  schema?: string | undefined;
}

/**
 * Opens (and creates where missing) the key storage of the event store at `url`:
 * - `memory:`: a memory key storage, for tests;
 * - `sqlite:<dir>/<file>`: `<dir>/keys.db` (`sqlite::memory:`: a key storage in memory);
 * - `postgres://…?schema=X`: the schema `X_keys` on the same server (`eventline_keys` by default).
 *
 * @example
 * const keys = await openKeyStorage('sqlite:./data/eventline.db'); // ./data/keys.db
 */
export async function openKeyStorage(url: string, options: KeyStorageOptions = {}): Promise<KeyStorage> {
  if (typeof url !== 'string' || url.length === 0) {
    throw new StoreOpenError(String(url), 'the store URL must be a non-empty string');
  }
  const { path, schema } = options;
  try {
    if (isMemoryUrl(url)) {
      refuse(url, { path, schema });
      const { createMemoryKeyStorage } = await import('../stores/memory/key-storage.js');
      return createMemoryKeyStorage();
    }
    if (isSqliteUrl(url)) {
      refuse(url, { schema });
      const events = parseSqliteUrl(url).path;
      const { openSqliteKeyStorage } = await import('../stores/sqlite/key-storage.js');
      return await openSqliteKeyStorage(path ?? (events === ':memory:' ? events : join(dirname(events), KEY_FILE_NAME)));
    }
    if (isPostgresUrl(url)) {
      refuse(url, { path });
      const { connectionString, schema: events = 'eventline' } = parsePostgresUrl(url);
      const { openPostgresKeyStorage } = await import('../stores/postgres/key-storage.js');
      return await openPostgresKeyStorage(connectionString, { schema: schema ?? `${events}_keys` });
    }
  } catch (error) {
    if (error instanceof StoreOpenError) throw error;
    const message = error instanceof ValidationError ? error.message : `${(error as Error).message}`;
    throw new StoreOpenError(url, message, { cause: error });
  }
  throw new StoreOpenError(url, `unknown kind of store; use memory:, sqlite:<file> or postgres://…`);
}

/** An option for another kind of store would quietly do nothing. */
function refuse(url: string, options: KeyStorageOptions): void {
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  if (given.length > 0) throw new StoreOpenError(url, `option ${given.map(([name]) => name).join(', ')} does not apply to this kind of store`);
}
