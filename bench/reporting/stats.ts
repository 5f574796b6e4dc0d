// From the runs of one (workload, store) to its figure: median, min and max of the
// runs that gave one, the peak RSS, and the first failure if any run failed (a store
// that fails now and then still shows what its other runs measured).

import type { ChildResult } from '../running/child.js';
import type { Target } from '../running/stores.js';
import type { Unit, Workload } from '../workloads/workload.js';

export interface RunResult {
  workload: Workload;
  target: Target;
  run: number;
  result: Omit<ChildResult, 'rssMB'> & { rssMB?: number };
}

export interface Summary {
  workload: Workload;
  target: Target;
  unit: Unit;
  runs: number;
  median?: number;
  min?: number;
  max?: number;
  rssMB?: number;
  conflicts?: number;
  lost?: number;
  duplicated?: number;
  /** L1, L2: p99 latency (median over runs); non-2xx answers and errors summed over runs, and how many runs had any. */
  p99Ms?: number;
  non2xx?: number;
  errors?: number;
  troubledRuns?: number;
  /** The first failure, and in how many runs one happened. */
  failed?: string;
  failedRuns: number;
  skipped?: string;
  /** Measurement.details over the runs: numbers as their median, flags as the first run's. */
  details?: Record<string, number | boolean>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarise(results: readonly RunResult[]): Summary[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.workload.id}\u0000${r.target.name}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const { workload, target } = group[0]!;
    const results = group.map((g) => g.result);
    const values = results.flatMap((r) => (r.value === undefined || r.failed ? [] : [r.value]));
    const failures = results.filter((r) => r.failed !== undefined);
    const rss = results.flatMap((r) => (r.rssMB === undefined ? [] : [r.rssMB]));
    const counted = (pick: (r: RunResult['result']) => number | undefined) => results.flatMap((r) => (pick(r) === undefined ? [] : [pick(r)!]));
    const summary: Summary = { workload, target, unit: workload.unit, runs: results.length, failedRuns: failures.length };
    if (values.length > 0) {
      summary.median = median(values);
      summary.min = Math.min(...values);
      summary.max = Math.max(...values);
    }
    if (rss.length > 0) summary.rssMB = Math.max(...rss);
    const conflicts = counted((r) => r.conflicts);
    if (conflicts.length > 0) summary.conflicts = median(conflicts);
    // Any event lost or stored twice in any run counts: report the worst run.
    const lost = counted((r) => r.lost);
    if (lost.length > 0) summary.lost = Math.max(...lost);
    const duplicated = counted((r) => r.duplicated);
    if (duplicated.length > 0) summary.duplicated = Math.max(...duplicated);
    const p99 = counted((r) => r.p99Ms);
    if (p99.length > 0) summary.p99Ms = median(p99);
    // Every bad answer of every run counts: one run's errors never hide behind a median.
    const non2xx = counted((r) => r.non2xx);
    const errors = counted((r) => r.errors);
    if (non2xx.length > 0 || errors.length > 0) {
      summary.non2xx = non2xx.reduce((a, b) => a + b, 0);
      summary.errors = errors.reduce((a, b) => a + b, 0);
      summary.troubledRuns = results.filter((r) => (r.non2xx ?? 0) + (r.errors ?? 0) > 0).length;
    }
    if (failures.length > 0) summary.failed = failures[0]!.failed;
    const detailed = results.flatMap((r) => (r.details && !r.failed ? [r.details] : []));
    if (detailed.length > 0) {
      summary.details = Object.fromEntries(
        Object.entries(detailed[0]!).map(([key, first]) =>
          typeof first === 'number' ? [key, median(detailed.map((d) => d[key]).filter((v): v is number => typeof v === 'number'))] : [key, first],
        ),
      );
    }
    const skipped = results.find((r) => r.skipped !== undefined);
    if (skipped) summary.skipped = skipped.skipped;
    return summary;
  });
}
