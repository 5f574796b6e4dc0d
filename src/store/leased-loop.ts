// The loop of a part that one process at a time runs (a projection, a workflow's log
// reader, the outbox relay): take the lease, work while it is held, and on the store's
// own trouble (a lost connection, a busy file) say so, pause and start over; a process
// without the lease asks again now and then.

import { CheckpointMismatchError } from '../core/errors.js';
import type { Lease, ReadModelStorage } from './read-models.js';
import { delay } from './wakeup.js';

export interface Pauses {
  /** Waits `ms`, or less once `cutAll` is called; changes in the store do not cut it short. */
  pause(ms: number): Promise<void>;
  /** Ends every pause in progress (on stop). */
  cutAll(): void;
}

export function createPauses(): Pauses {
  const cuts = new Set<() => void>();
  return {
    async pause(ms) {
      let cut: (() => void) | undefined;
      await delay(ms, (c) => {
        cut = c;
        cuts.add(c);
      });
      if (cut) cuts.delete(cut);
    },
    cutAll() {
      for (const cut of cuts) cut();
      cuts.clear();
    },
  };
}

export interface LeasedLoop {
  /** Resolves to the lease, or undefined while another holder has it. */
  tryLease(): Promise<Lease | undefined>;
  isStopped(): boolean;
  pause(ms: number): Promise<void>;
  /** How long a process without the lease waits before asking again. */
  leaseRetryMs: number;
  /** Told of an error that stopped `work`; the loop pauses a second and starts over. */
  onError(error: Error): void;
  /**
   * Told of a checkpoint that does not belong to the store (CheckpointMismatchError): the
   * loop ends there, for no retry can mend it; an operator decides (eventline recover).
   */
  onHalt(error: CheckpointMismatchError): void;
  /** Runs while the lease is held; returns when it is lost or the loop stops. */
  work(lease: Lease): Promise<void>;
}

export async function runWhileLeased(loop: LeasedLoop): Promise<void> {
  while (!loop.isStopped()) {
    const lease = await loop.tryLease().catch(() => undefined);
    if (!lease) {
      await loop.pause(loop.leaseRetryMs);
      continue;
    }
    try {
      await loop.work(lease);
    } catch (error) {
      if (error instanceof CheckpointMismatchError) {
        loop.onHalt(error);
        return;
      }
      if (!loop.isStopped()) {
        loop.onError(error as Error);
        await loop.pause(1000);
      }
    } finally {
      await lease.release();
    }
  }
}

const heldHere = new WeakMap<ReadModelStorage, Set<string>>();

/**
 * The storage's lease, also kept from a second holder in this process: on SQLite every
 * process holds every lease (one file, one machine), and two loops of one name in one
 * process would otherwise both run.
 */
export async function takeLease(readModels: ReadModelStorage, name: string): Promise<Lease | undefined> {
  const names = heldHere.get(readModels) ?? new Set<string>();
  heldHere.set(readModels, names);
  if (names.has(name)) return undefined;
  names.add(name);
  const lease = await readModels.tryLease(name).catch(() => undefined);
  if (!lease) {
    names.delete(name);
    return undefined;
  }
  return {
    get held() {
      return lease.held;
    },
    async release() {
      names.delete(name);
      await lease.release();
    },
  };
}
