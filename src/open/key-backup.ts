// Backing up the key storage of personal data, on its own: it never goes into a backup of
// events (docs/operations.md). Where it is follows from the event store's URL, as for
// openKeyStorage: keys.db beside a SQLite store's file, the schema `<schema>_keys` beside
// a PostgreSQL store's.

import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { KEY_FILE_NAME } from './open-key-storage.js';
import { storeTarget } from './restore-files.js';
import { parsePostgresUrl } from '../stores/postgres/url.js';
import { parseSqliteUrl } from '../stores/sqlite/url.js';

/** Writes a consistent copy of the key storage of the store at `url` to `file`; resolves to where it came from. */
export async function backupKeyStorage(url: string, file: string): Promise<string> {
  const { kind } = storeTarget(url);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  try {
    let source: string;
    if (kind === 'sqlite') {
      const events = parseSqliteUrl(url).path;
      source = join(dirname(events), KEY_FILE_NAME);
      if (events === ':memory:' || !existsSync(source)) throw new ValidationError('keys', `there is no key storage beside the store (no ${source})`);
      const { openDatabase } = await import('../stores/sqlite-db/driver.js');
      const db = await openDatabase(source, { readonly: true });
      try {
        db.prepare('VACUUM INTO ?').run(partial);
      } finally {
        db.close();
      }
    } else if (kind === 'postgres') {
      const { connectionString, schema = 'eventline' } = parsePostgresUrl(url);
      const [{ runPgProgram }, { quoteSchema }] = await Promise.all([import('../stores/postgres/maintenance.js'), import('../stores/postgres/identifiers.js')]);
      source = `schema ${schema}_keys`;
      await runPgProgram('pg_dump', connectionString, ['--schema', quoteSchema(`${schema}_keys`), '--format', 'custom', '--no-owner', '--no-privileges', '--file', partial]);
    } else {
      throw new ValidationError('keys', 'a memory store keeps its keys in memory: there is nothing to back up');
    }
    renameSync(partial, file);
    return source;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
