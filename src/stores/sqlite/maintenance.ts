// A SQLite file's epoch, its maintenance lock and its backup. The lock is a row naming
// its holder's process, taken in a write transaction, so processes on the file take
// turns; a row whose process died (on this host) is taken over. A backup is VACUUM INTO:
// one read transaction, so a consistent copy while writers go on (WAL lets them).

import { randomUUID } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { MaintenanceBusyError } from '../../core/errors.js';
import { uuidv7 } from '../../core/uuid.js';
import type { BackupFacts, MaintenanceStorage } from '../../store/storage.js';
import type { ConnectionLock } from '../sqlite-db/connection-lock.js';
import { openDatabase } from '../sqlite-db/driver.js';
import { holderText, isAlive, thisHost } from '../maintenance-lock.js';

const SELECT_EPOCH = 'SELECT epoch FROM store_epoch WHERE id = 1';
const SET_EPOCH = 'UPDATE store_epoch SET epoch = ? WHERE id = 1';
const SELECT_HOLDER = 'SELECT task, pid, host FROM maintenance_lock WHERE id = 1';
const TAKE = 'INSERT OR REPLACE INTO maintenance_lock (id, task, pid, host, token, taken_at) VALUES (1, ?, ?, ?, ?, ?)';
const RELEASE = 'DELETE FROM maintenance_lock WHERE token = ?';

interface Holder {
  task: string;
  pid: number;
  host: string;
}

export function prepareMaintenance(db: Database, path: string, lock: ConnectionLock): MaintenanceStorage {
  const take = db.transaction((task: string, token: string) => {
    const holder = db.prepare(SELECT_HOLDER).get() as Holder | undefined;
    // A holder on another host cannot be asked whether it is alive: it keeps the lock.
    if (holder && (holder.host !== thisHost() || isAlive(holder.pid))) throw new MaintenanceBusyError(task, holderText(holder.task, holder.pid, holder.host));
    db.prepare(TAKE).run(task, process.pid, thisHost(), token, Date.now());
  });

  return {
    epoch: () => lock.run(() => db.prepare(SELECT_EPOCH).pluck().get() as string),

    renewEpoch() {
      const epoch = uuidv7();
      return lock.run(() => {
        db.prepare(SET_EPOCH).run(epoch);
        return epoch;
      });
    },

    async lock(task) {
      const token = randomUUID();
      await lock.run(() => take.immediate(task, token));
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await lock.run(() => db.prepare(RELEASE).run(token));
        },
      };
    },

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

/**
 * The head, epoch and schema version the copy holds, read from the copy itself. The copy
 * loses the lock row the backup itself held: a store restored from it starts unlocked.
 */
async function backupFacts(file: string): Promise<BackupFacts> {
  const copy = await openDatabase(file);
  try {
    copy.prepare('DELETE FROM maintenance_lock').run();
    return {
      head: copy.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().get() as number,
      epoch: copy.prepare(SELECT_EPOCH).pluck().get() as string,
      schemaVersion: copy.prepare('SELECT version FROM eventline_schema').pluck().get() as number,
    };
  } finally {
    copy.close();
  }
}
