// What the stores share of the maintenance lock (prune, archive restore and backup
// exclude each other): how a holder is named, whether a process that holds it is still
// alive (core/process-alive.ts), and a lock only its own process can see.

import { hostname } from 'node:os';
import { MaintenanceBusyError } from '../core/errors.js';
import { uuidv7 } from '../core/uuid.js';
import type { MaintenanceStorage } from '../store/storage.js';

/** How a holder is named in a MaintenanceBusyError: its task, process and host. */
export function holderText(task: string, pid: number, host: string): string {
  return `${task} (process ${pid} on ${host})`;
}

export const thisHost = (): string => hostname();

/** A lock only this process can see: for a store that lives in it (memory, SQLite in memory). */
export function inProcessLock(): MaintenanceStorage['lock'] {
  let holder: string | undefined;
  return async (task) => {
    if (holder !== undefined) throw new MaintenanceBusyError(task, holder);
    holder = holderText(task, process.pid, thisHost());
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        holder = undefined;
      },
    };
  };
}

/** The memory store's epoch and lock: the store lives in one process, so the lock does too. */
export function inProcessMaintenance(): MaintenanceStorage {
  let epoch = uuidv7();
  return {
    epoch: async () => epoch,
    renewEpoch: async () => (epoch = uuidv7()),
    lock: inProcessLock(),
  };
}
