// What an EventStore offers for maintenance: the store's epoch, a new one after a
// restore or a copy, the lock that keeps prune, archive restore and backup apart, and
// the backup itself (storage.ts says what each store does).

import { ValidationError } from '../core/errors.js';
import { assertName } from '../core/validation.js';
import type { BackupFacts, EventStorage } from './storage.js';

export interface StoreMaintenance {
  /** The store's epoch: minted when it was made, and anew by every restore or copy. */
  epoch(): Promise<string>;
  /** Mints a new epoch (a restore or a copy calls it once it has written the store); returns it. */
  renewEpoch(): Promise<string>;
  /**
   * Runs `work` holding the store's maintenance lock, named after `task`; a second task
   * on the same store, in any process, gets MaintenanceBusyError naming the holder.
   */
  withLock<T>(task: string, work: () => Promise<T>): Promise<T>;
  /** Writes a consistent copy of the store to `file` while writers go on; the memory store has none. */
  backup(file: string): Promise<BackupFacts>;
}

export function createStoreMaintenance(storage: EventStorage<unknown>, assertOpen: () => void): StoreMaintenance {
  const { maintenance } = storage;
  return {
    async epoch() {
      assertOpen();
      return maintenance.epoch();
    },
    async renewEpoch() {
      assertOpen();
      return maintenance.renewEpoch();
    },
    async withLock(task, work) {
      assertOpen();
      assertName(task, 'task');
      if (typeof work !== 'function') throw new ValidationError('work', 'must be a function');
      const lock = await maintenance.lock(task);
      try {
        return await work();
      } finally {
        await lock.release();
      }
    },
    async backup(file) {
      assertOpen();
      if (typeof file !== 'string' || file === '') throw new ValidationError('file', 'must name a file');
      if (!maintenance.backup) throw new ValidationError('store', `the ${storage.kind} store has no backup`);
      return maintenance.backup(file);
    },
  };
}
