// Putting a backup's files in place, by the target URL's kind of store: the one part
// that knows every store does it, loading each store's module only when it is the one.
// Opening the store, and minting its new epoch, come after (src/backup).

import { StoreOpenError, ValidationError } from '../core/errors.js';
import { isMemoryUrl } from '../stores/memory/url.js';
import { isPostgresUrl, parsePostgresUrl } from '../stores/postgres/url.js';
import { isSqliteUrl, parseSqliteUrl } from '../stores/sqlite/url.js';

/** What a store URL names, as far as a backup cares: its kind, and a PostgreSQL store's schema. */
export interface StoreTarget {
  kind: 'memory' | 'sqlite' | 'postgres';
  /** PostgreSQL only. */
  schema?: string;
}

export function storeTarget(url: string): StoreTarget {
  if (typeof url === 'string' && isMemoryUrl(url)) return { kind: 'memory' };
  if (typeof url === 'string' && isSqliteUrl(url)) {
    parseSqliteUrl(url);
    return { kind: 'sqlite' };
  }
  if (typeof url === 'string' && isPostgresUrl(url)) {
    try {
      return { kind: 'postgres', schema: parsePostgresUrl(url).schema ?? 'eventline' };
    } catch (error) {
      if (error instanceof StoreOpenError) throw error;
      throw new StoreOpenError(url, (error as Error).message, { cause: error });
    }
  }
  throw new StoreOpenError(String(url), 'unknown kind of store; use sqlite:<file> or postgres://…');
}

/** Restores the backup `file` where `url` points, refusing a target that holds anything (ValidationError). */
export async function restoreStoreFiles(url: string, file: string): Promise<void> {
  const { kind } = storeTarget(url);
  if (kind === 'sqlite') {
    const { restoreSqliteFile } = await import('../stores/sqlite/restore.js');
    return restoreSqliteFile(parseSqliteUrl(url).path, file);
  }
  if (kind === 'postgres') {
    const { connectionString, schema = 'eventline' } = parsePostgresUrl(url);
    const [{ restorePostgresDump }, { loadPg }] = await Promise.all([import('../stores/postgres/restore.js'), import('../stores/postgres/driver.js')]);
    const pg = await loadPg();
    const connect = async () => {
      const client = new pg.Client({ connectionString });
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (error) {
        throw new StoreOpenError(url, (error as Error).message, { cause: error });
      }
      return client;
    };
    return restorePostgresDump(connect, connectionString, schema, file);
  }
  throw new ValidationError('into', 'a memory store has no backup to restore; restore into sqlite:<file> or postgres://…');
}
