// One better-sqlite3 connection serves every caller in the process. Synchronous work
// cannot interleave, but a transaction that awaits (a projection batch, an append
// with inline projections) must have the connection to itself until it ends: this
// lock makes everyone else wait for it.

import type { Database } from 'better-sqlite3';

export interface ConnectionLock {
  /** Runs synchronous work once no held transaction is in progress. */
  run<T>(operation: () => T): Promise<T>;
  /** BEGIN IMMEDIATE, `work`, then COMMIT (or ROLLBACK when it throws), with the connection held. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
}

export function createConnectionLock(db: Database, whenUnlocked: <T>(operation: () => T) => T): ConnectionLock {
  let held: Promise<unknown> = Promise.resolve();
  let holding = false;

  return {
    async run(operation) {
      while (holding) await held;
      return whenUnlocked(operation);
    },
    async transaction(work) {
      while (holding) await held;
      holding = true;
      const running = (async () => {
        whenUnlocked(() => db.exec('BEGIN IMMEDIATE'));
        try {
          const result = await work();
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      })();
      held = running.catch(() => undefined);
      try {
        return await running;
      } finally {
        holding = false;
      }
    },
  };
}
