// A SQLite file's epoch, its maintenance lock and its backup. The lock is a row naming its
// holder's process, in a small database beside the store's file (`<file>-lock`), taken in
// a write transaction so processes take turns; a row whose process died (on this host) is
// taken over. It lives apart so that taking it never writes the store's own file: a
// refused prune leaves the file as it was. A backup is VACUUM INTO: one read transaction,
// so a consistent copy while writers go on (WAL lets them).

import { randomUUID } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { MaintenanceBusyError } from '../../core/errors.js';
import { uuidv7 } from '../../core/uuid.js';
import type { BackupFacts, MaintenanceLock, MaintenanceStorage } from '../../store/storage.js';
import type { ConnectionLock } from '../sqlite-db/connection-lock.js';
import { openDatabase } from '../sqlite-db/driver.js';
import { isProcessAlive } from '../../core/process-alive.js';
import { holderText, inProcessLock, thisHost } from '../maintenance-lock.js';

const SELECT_EPOCH = 'SELECT epoch FROM store_epoch WHERE id = 1';
const SET_EPOCH = 'UPDATE store_epoch SET epoch = ? WHERE id = 1';

const CREATE_LOCK = `
  CREATE TABLE IF NOT EXISTS maintenance_lock (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    task     TEXT    NOT NULL,
    pid      INTEGER NOT NULL,
    host     TEXT    NOT NULL,
    token    TEXT    NOT NULL,
    taken_at INTEGER NOT NULL
  )`;
const SELECT_HOLDER = 'SELECT task, pid, host FROM maintenance_lock WHERE id = 1';
const TAKE = 'INSERT OR REPLACE INTO maintenance_lock (id, task, pid, host, token, taken_at) VALUES (1, ?, ?, ?, ?, ?)';
const RELEASE = 'DELETE FROM maintenance_lock WHERE token = ?';

/** How long taking the lock waits for another process's transaction on the lock file. */
const LOCK_FILE_WAIT_MS = 5_000;

export function prepareMaintenance(db: Database, path: string, lock: ConnectionLock): MaintenanceStorage {
  return {
    epoch: () => lock.run(() => db.prepare(SELECT_EPOCH).pluck().get() as string),

    renewEpoch() {
      const epoch = uuidv7();
      return lock.run(() => {
        db.prepare(SET_EPOCH).run(epoch);
        return epoch;
      });
    },

    lock: path === ':memory:' ? inProcessLock() : (task) => lockFile(`${path}-lock`, task),

    async backup(file) {
      if (path === ':memory:') throw new Error('a SQLite store in memory has no file to back up');
      // Written beside its place and renamed: a half-written backup never carries the name.
      const partial = `${file}.partial`;
      rmSync(partial, { force: true });
      try {
        await lock.run(() => db.prepare('VACUUM INTO ?').run(partial));
        const facts = await backupFacts(partial);
        renameSync(partial, file);
        return facts;
      } catch (error) {
        rmSync(partial, { force: true });
        throw error;
      }
    },
  };
}

interface Holder {
  task: string;
  pid: number;
  host: string;
}

/** Takes the lock row in the lock file; the connection stays open until the lock is released. */
async function lockFile(file: string, task: string): Promise<MaintenanceLock> {
  const db = await openDatabase(file, { timeout: LOCK_FILE_WAIT_MS });
  const token = randomUUID();
  try {
    db.exec(CREATE_LOCK);
    db.transaction(() => {
      const holder = db.prepare(SELECT_HOLDER).get() as Holder | undefined;
      // A holder on another host cannot be asked whether it is alive: it keeps the lock.
      if (holder && (holder.host !== thisHost() || isProcessAlive(holder.pid))) {
        throw new MaintenanceBusyError(task, holderText(holder.task, holder.pid, holder.host));
      }
      db.prepare(TAKE).run(task, process.pid, thisHost(), token, Date.now());
    }).immediate();
  } catch (error) {
    db.close();
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      try {
        db.prepare(RELEASE).run(token);
      } finally {
        db.close();
      }
    },
  };
}

/** The head, epoch and schema version the copy holds, read from the copy itself. */
async function backupFacts(file: string): Promise<BackupFacts> {
  const copy = await openDatabase(file, { readonly: true });
  try {
    return {
      head: copy.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().get() as number,
      epoch: copy.prepare(SELECT_EPOCH).pluck().get() as string,
      schemaVersion: copy.prepare('SELECT version FROM eventline_schema').pluck().get() as number,
    };
  } finally {
    copy.close();
  }
}
