// The embedded default store: one SQLite file, written through better-sqlite3.
// WAL lets readers run beside the one writer; writers in other processes wait
// for the write lock (busy_timeout, then our own retry) instead of failing.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from 'better-sqlite3';
import { jsonCodec } from '../../core/codec.js';
import { StoreBusyError, StoreOpenError, storeMissing } from '../../core/errors.js';
import type { EventStorage } from '../../store/storage.js';
import { createWatchers } from '../watchers.js';
import { prepareAppend } from './append.js';
import { prepareCopy } from './copy.js';
import { eventIdsOf } from '../event-ids.js';
import { createConnectionLock } from '../sqlite-db/connection-lock.js';
import { openDatabase } from '../sqlite-db/driver.js';
import { createMemoryReadModels } from '../sqlite-db/memory-read-models.js';
import { sqliteReadModelStorage } from '../sqlite-db/read-model-storage.js';
import { preparePruning, reclaimSqliteSpace } from './prune.js';
import { prepareReads } from './read.js';
import { hasSchema, migrate } from './schema.js';
import { prepareSnapshots } from './snapshots.js';
import { prepareMaintenance } from './maintenance.js';

export type Synchronous = 'normal' | 'full';

export interface SqliteOptions {
  /** A file path, or ':memory:'. */
  path: string;
  /** NORMAL (default) or FULL; see docs/durability.md. */
  synchronous?: Synchronous;
  /** How long a write waits for another process's lock before StoreBusyError. Default 60 s. */
  lockTimeoutMs?: number;
  /** Whether a file that does not exist, or holds no Eventline store, is made one. Default true. */
  create?: boolean;
}

export interface SqliteStorage extends EventStorage {
  readonly path: string;
  appendWithHook: NonNullable<EventStorage['appendWithHook']>;
}

/** The store's own tables in its file (schema.ts), which are no read models. */
const STORE_TABLES: ReadonlySet<string> = new Set(['eventline_schema', 'events', 'events_next', 'streams', 'snapshots', 'positions_used', 'event_id_tag', 'pruned_events', 'store_epoch']);

const BUSY_WAIT_MS = 5_000;
const CROSS_PROCESS_POLL_MS = 20;
// How many WAL pages trigger a checkpoint, by durability (see where they are set).
const WAL_CHECKPOINT_PAGES = { normal: 10_000, full: 1_000 } as const;

export async function openSqliteStorage(url: string, options: SqliteOptions): Promise<SqliteStorage> {
  const { path, synchronous = 'normal', lockTimeoutMs = 60_000, create = true } = options;
  const inMemory = path === ':memory:';
  // Opened not to create, a store must be there already.
  const mustExist = !create && !inMemory;
  if (mustExist && !existsSync(path)) throw storeMissing(url);
  let db: Database;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    db = await openDatabase(path, { timeout: BUSY_WAIT_MS });
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
      // Some other application's database is not made an event store by a read, nor
      // changed in any way: this looks before any setting is written.
      if (mustExist && !hasSchema(db)) throw storeMissing(url);
      // A new file frees the pages of pruned events as it goes (incremental vacuum);
      // the setting must come before its first table.
      if (!hasSchema(db) && db.pragma('page_count', { simple: true }) === 0) db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      // NORMAL: every append rewrites the same few pages (the newest leaf of each index
      // and the position counter); checkpointing less often copies each of them back
      // once instead of many times. The WAL grows to about 40 MiB between checkpoints.
      // FULL syncs the WAL at every commit, and a sync costs less while the WAL is
      // rewritten from its start after frequent checkpoints (SQLite's default) than
      // while it keeps growing.
      db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES[synchronous]}`);
      migrate(db);
    });
  } catch (error) {
    db.close();
    if (error instanceof StoreBusyError || error instanceof StoreOpenError) throw error;
    throw new StoreOpenError(url, (error as Error).message, { cause: error });
  }

  const ids = eventIdsOf(db.prepare('SELECT tag FROM event_id_tag').pluck().get() as string);
  const appendInTransaction = prepareAppend(db, ids);
  const append = db.transaction(appendInTransaction);
  const reads = prepareReads(db, ids);
  const pruning = preparePruning(db, ids, appendInTransaction);
  const writeCopied = prepareCopy(db, ids);

  // Appends in this process notify at once; appends by other processes show up as a
  // new data_version, which is cheap to poll while anyone is watching.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let lastDataVersion = 0;
  let poller: NodeJS.Timeout | undefined;
  const watchers = createWatchers(
    () => {
      lastDataVersion = dataVersion.get() as number;
      poller = setInterval(() => {
        if (db.inTransaction) return;
        const now = dataVersion.get() as number;
        if (now !== lastDataVersion) {
          lastDataVersion = now;
          watchers.notify();
        }
      }, CROSS_PROCESS_POLL_MS);
    },
    () => clearInterval(poller),
  );

  const lock = createConnectionLock(db, whenUnlocked);
  const readModels = sqliteReadModelStorage(db, lock, STORE_TABLES);

  return {
    kind: 'sqlite',
    defaultCodec: jsonCodec,
    path,

    async append(streamId, events, expectedVersion) {
      const { nextExpectedVersion, lastPosition } = await lock.run(() => append.immediate(streamId, events, expectedVersion));
      watchers.notify();
      return { nextExpectedVersion, lastPosition };
    },

    async appendWithHook(streamId, events, expectedVersion, beforeCommit) {
      const result = await lock.transaction(async () => {
        // An idempotent retry returns the original result and writes nothing.
        const { wrote, ...result } = appendInTransaction(streamId, events, expectedVersion);
        const appended = wrote ? reads.readRange(result.lastPosition - events.length + 1, result.lastPosition) : [];
        const eventsAfter = async (position: number) => reads.readRange(position + 1, result.lastPosition);
        await beforeCommit(appended, result, readModels.dbFor, eventsAfter);
        return result;
      });
      watchers.notify();
      return result;
    },

    async writeCopied(events, beforeCommit) {
      const copied = await lock.transaction(async () => {
        const positions = writeCopied(events);
        await beforeCommit(positions, readModels.dbFor);
        return positions;
      });
      if (copied.written > 0) watchers.notify();
      return copied;
    },

    readModels,
    scratchReadModels: createMemoryReadModels,

    headPosition() {
      return lock.run(() => reads.head());
    },

    watch: watchers.add,

    readStream(streamId, range, as) {
      return lock.run(() => reads.readStream(streamId, range, as));
    },

    readStreamPayloads(streamId, fromVersion, limit) {
      return lock.run(() => reads.readStreamPayloads(streamId, fromVersion, limit));
    },

    readAllBatch(after, filter, limit) {
      return lock.run(() => reads.readAllBatch(after, filter, limit));
    },

    listStreams(after, limit) {
      return lock.run(() => reads.listStreams(after, limit));
    },

    snapshots: prepareSnapshots(db, (operation) => lock.run(operation)),

    retention: {
      prunedTo: (streamId) => lock.run(() => pruning.prunedTo(streamId)),
      async prune(ranges, audit) {
        const result = await lock.run(() => pruning.prune(ranges, audit));
        watchers.notify();
        return result;
      },
      async restore(events, audit) {
        const result = await lock.run(() => pruning.restore(events, audit));
        watchers.notify();
        return result;
      },
      reclaimSpace: ({ full }) => lock.run(() => reclaimSqliteSpace(db, () => bytesOnDisk(db, path), full)),
    },

    maintenance: prepareMaintenance(db, path, lock),

    stats() {
      return lock.run(() => ({ ...reads.counts(), bytes: bytesOnDisk(db, path) }));
    },

    async close() {
      await lock.run(() => {
        clearInterval(poller);
        db.close();
      });
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
