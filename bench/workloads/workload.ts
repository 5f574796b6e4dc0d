// What a workload is and what it gives back.

import type { BenchStore, Scratch } from './adapter.js';
import type { Kind } from '../running/scratch.js';
import type { Family } from '../running/stores.js';
import type { Sizes } from './sizes.js';

export type Unit = 'events/s' | 'ms' | 'req/s' | 'instances/s';

/** One measurement; `failed` and `skipped` say why there is no figure. */
export interface Measurement {
  value?: number;
  failed?: string;
  skipped?: string;
  /** W7: refused appends that were retried, events missing, events stored twice. */
  conflicts?: number;
  lost?: number;
  duplicated?: number;
  /** The largest peak RSS among the processes the workload started (W7p's writers, L1/L2's Lab). */
  spawnedRssMB?: number;
  /** L1, L2: the 99th percentile latency, answers other than 2xx, and requests that got no answer (errors, timeouts). */
  p99Ms?: number;
  non2xx?: number;
  errors?: number;
  /** More about the figure, printed with it: S1's size and snapshots, P2's p50 and p99, WF1's step latencies. */
  details?: Record<string, number | boolean>;
}

export interface WorkloadContext {
  store: BenchStore;
  sizes: Sizes;
  /** The store's name in the registry (targets.ts), for workloads that start processes. */
  target: string;
  scratch: Scratch;
  /** The scratch already holds the data this workload reads (left by the one it `reuses`). */
  seeded: boolean;
}

export interface Workload {
  id: string;
  /** What the report prints. */
  label: string;
  /** The id --only also selects this one by (S1 names all its sizes and variants). */
  group?: string;
  unit: Unit;
  /** The kinds of store it runs on. */
  kinds: readonly Kind[];
  /** The families of store it runs on, when not all (the floors have no aggregates or projections). */
  families?: readonly Family[];
  /**
   * A workload whose leftover data is exactly this one's set-up: on a file or database
   * store, this one then reads it instead of writing it again (it saves minutes per run).
   */
  reuses?: string;
  /** A workload that says nothing new on a store that failed this one in the same run. */
  needs?: string;
  /** How long one measurement may take, when longer than the runner's default. */
  timeoutMs?: number;
  /** A line the report prints under its results when the workload ran (why a peer has no figure). */
  note?: string;
  run(context: WorkloadContext): Promise<Measurement>;
}

export const ALL_KINDS: readonly Kind[] = ['memory', 'sqlite', 'postgres'];

/** Milliseconds that `work` takes. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export function perSecond(count: number, ms: number): number {
  return count / (ms / 1000);
}

/** The pth percentile (0-100) of sorted values, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Outside W7 an append is never refused; if it is, the store is wrong, not slow. */
export function mustAppend(outcome: { ok: boolean }, streamId: string): void {
  if (!outcome.ok) throw new Error(`an append to ${streamId} was refused although no one else writes to it`);
}
