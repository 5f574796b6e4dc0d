// The embedded default store: one SQLite file, written through better-sqlite3.
// WAL lets readers run beside the one writer; writers in other processes wait
// for the write lock (busy_timeout, then our own retry) instead of failing.

import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from 'better-sqlite3';
import { StoreBusyError, StoreOpenError } from '../../core/errors.js';
import type { EventStorage } from '../../store/storage.js';
import { prepareAppend } from './append.js';
import { prepareReads } from './read.js';
import { migrate } from './schema.js';

export type Synchronous = 'normal' | 'full';

export interface SqliteOptions {
  /** A file path, or ':memory:'. */
  path: string;
  /** NORMAL (default) or FULL; see docs/durability.md. */
  synchronous?: Synchronous;
  /** How long a write waits for another process's lock before StoreBusyError. Default 60 s. */
  lockTimeoutMs?: number;
}

export interface SqliteStorage extends EventStorage {
  readonly path: string;
  appendWithHook: NonNullable<EventStorage['appendWithHook']>;
}

const BUSY_WAIT_MS = 5_000;

export async function openSqliteStorage(url: string, options: SqliteOptions): Promise<SqliteStorage> {
  const { path, synchronous = 'normal', lockTimeoutMs = 60_000 } = options;
  let db: Database;
  try {
    const { default: open } = await import('better-sqlite3');
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = open(path, { timeout: BUSY_WAIT_MS });
  } catch (error) {
    throw new StoreOpenError(url, (error as Error).message, { cause: error });
  }

  // SQLITE_BUSY escapes busy_timeout only when another writer holds the lock longer
  // than BUSY_WAIT_MS; keep waiting up to lockTimeoutMs, then say so in our own terms.
  function whenUnlocked<T>(operation: () => T): T {
    const started = Date.now();
    while (true) {
      try {
        return operation();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (!code?.startsWith('SQLITE_BUSY')) throw error;
        const waited = Date.now() - started;
        if (waited >= lockTimeoutMs) throw new StoreBusyError(waited, { cause: error });
      }
    }
  }

  try {
    whenUnlocked(() => {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      migrate(db);
    });
  } catch (error) {
    db.close();
    if (error instanceof StoreBusyError) throw error;
    throw new StoreOpenError(url, (error as Error).message, { cause: error });
  }

  const appendInTransaction = prepareAppend(db);
  const append = db.transaction(appendInTransaction);
  const reads = prepareReads(db);

  // An append with an async hook holds the connection's transaction across awaits;
  // everything else on this connection waits for it to finish.
  let held: Promise<unknown> = Promise.resolve();
  let holding = false;
  const afterHeld = async <T>(operation: () => T): Promise<T> => {
    while (holding) await held;
    return operation();
  };

  return {
    kind: 'sqlite',
    path,

    append(streamId, events, expectedVersion) {
      return afterHeld(() => whenUnlocked(() => append.immediate(streamId, events, expectedVersion)));
    },

    async appendWithHook(streamId, events, expectedVersion, beforeCommit) {
      while (holding) await held;
      holding = true;
      const run = (async () => {
        whenUnlocked(() => db.exec('BEGIN IMMEDIATE'));
        try {
          const result = appendInTransaction(streamId, events, expectedVersion);
          await beforeCommit(result);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      })();
      held = run.catch(() => undefined);
      try {
        return await run;
      } finally {
        holding = false;
      }
    },

    readStream(streamId, range) {
      return afterHeld(() => whenUnlocked(() => reads.readStream(streamId, range)));
    },

    readAllBatch(after, filter, limit) {
      return afterHeld(() => whenUnlocked(() => reads.readAllBatch(after, filter, limit)));
    },

    listStreams(after, limit) {
      return afterHeld(() => whenUnlocked(() => reads.listStreams(after, limit)));
    },

    stats() {
      return afterHeld(() => {
        const counts = whenUnlocked(() => reads.counts());
        return { ...counts, bytes: bytesOnDisk(db, path) };
      });
    },

    async close() {
      while (holding) await held;
      db.close();
    },
  };
}

function bytesOnDisk(db: Database, path: string): number {
  if (path === ':memory:') {
    return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  }
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return size(path) + size(`${path}-wal`);
}
