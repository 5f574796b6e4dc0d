// Where a store URL leads, in one canonical form, so that two URLs naming the same store
// are told apart from two stores: a SQLite file by its real path (relative paths and
// symbolic links resolved), a PostgreSQL store by its server, database and schema.

import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StoreOpenError, ValidationError } from '../core/errors.js';
import { isMemoryUrl } from '../stores/memory/url.js';
import { isPostgresUrl, parsePostgresUrl } from '../stores/postgres/url.js';
import { isSqliteUrl, parseSqliteUrl } from '../stores/sqlite/url.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The real path of a file that may not exist yet: its folder's real path, then its name. */
function realPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/**
 * The store a URL names, as a string equal for every URL of that store; undefined for a
 * store in memory, which no other URL reaches. A URL of no store kind is a StoreOpenError.
 */
export function storeLocation(url: string): string | undefined {
  try {
    if (isMemoryUrl(url)) return undefined;
    if (isSqliteUrl(url)) {
      const { path } = parseSqliteUrl(url);
      return path === ':memory:' ? undefined : `sqlite:${realPath(path)}`;
    }
    if (isPostgresUrl(url)) {
      const { connectionString, schema = 'eventline' } = parsePostgresUrl(url);
      const parsed = new URL(connectionString);
      const host = parsed.searchParams.get('host') ?? (parsed.hostname || 'localhost');
      const port = parsed.searchParams.get('port') ?? (parsed.port || '5432');
      const user = decodeURIComponent(parsed.username) || parsed.searchParams.get('user') || '';
      // libpq's default database is the user's name.
      const database = decodeURIComponent(parsed.pathname.slice(1)) || parsed.searchParams.get('db') || user;
      return `postgres://${LOCAL_HOSTS.has(host) ? 'localhost' : host.toLowerCase()}:${port}/${database}?schema=${schema}`;
    }
  } catch (error) {
    if (error instanceof StoreOpenError) throw error;
    throw new StoreOpenError(url, error instanceof ValidationError ? error.message : (error as Error).message, { cause: error });
  }
  throw new StoreOpenError(url, `unknown kind of store; use memory:, sqlite:<file> or postgres://…`);
}

/**
 * The key storage of personal data that goes with the store `url` names, as a string equal
 * for every URL of it: SQLite stores of one folder share its keys.db (see
 * openKeyStorage); a PostgreSQL schema has its own. Undefined for a store in memory.
 */
export function keyStorageLocation(url: string): string | undefined {
  const at = storeLocation(url);
  return at?.startsWith('sqlite:') ? `sqlite:${dirname(at.slice('sqlite:'.length))}` : at;
}
