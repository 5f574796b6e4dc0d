// Runs every (workload, store) of every run, each in a child process of its own,
// stores interleaved within a run. A workload whose set-up is what an earlier one
// left (Workload.reuses) gets that scratch instead of writing the data again.

import { join } from 'node:path';
import type { ChildInput, ChildResult } from './child.js';
import { disposeScratch, makeScratch } from './scratch.js';
import { runsOn, storesFor } from './select.js';
import { spawnScript } from './spawn.js';
import type { RunResult } from '../reporting/stats.js';
import type { Target } from './stores.js';
import type { Workload } from '../workloads/workload.js';

/** No single measurement may take longer unless its workload says so; Emmett's slowest take well under a minute. */
const CHILD_TIMEOUT_MS = 300_000;

export interface Plan {
  workloads: readonly Workload[];
  targets: readonly Target[];
  runs: number;
  scale: number;
  /** Where each measurement writes its CPU profiles (a folder per measurement), if anywhere. */
  profileDir?: string;
}

export async function runAll(plan: Plan, onResult: (result: RunResult, seconds: number) => void): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (let run = 0; run < plan.runs; run++) {
    // Scratches left for a later workload of this run, by `store:workload`.
    const left = new Map<string, { scratch: string; target: Target }>();
    const failed = new Set<string>();
    for (const workload of plan.workloads) {
      for (const target of storesFor(workload, plan.targets, run)) {
        const began = Date.now();
        if (workload.needs !== undefined && failed.has(`${target.name}:${workload.needs}`)) {
          const skipped: RunResult = { workload, target, run, result: { skipped: `not run: fails ${workload.needs}` } };
          results.push(skipped);
          onResult(skipped, 0);
          continue;
        }
        const leftKey = `${target.name}:${workload.reuses}`;
        const claimed = workload.reuses === undefined ? undefined : left.get(leftKey)?.scratch;
        left.delete(leftKey);
        // A memory store's data dies with its process: nothing to keep.
        const keep = target.kind !== 'memory' && plan.workloads.some((w) => w.reuses === workload.id && runsOn(w, target));
        const input: ChildInput = {
          workload: workload.id,
          target: target.name,
          scale: plan.scale,
          scratch: claimed ?? scratchName(run, workload, target),
          seeded: claimed !== undefined,
          keep,
        };
        const nodeArgs = plan.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(plan.profileDir, `r${run + 1}-${workload.id}-${target.name}`)}`] : [];
        const result = await measure(input, nodeArgs, workload.timeoutMs ?? CHILD_TIMEOUT_MS);
        // A child that died cannot have cleaned up after itself.
        if (result.failed) failed.add(`${target.name}:${workload.id}`);
        if (result.failed) await disposeScratch(makeScratch(input.scratch), target);
        else if (keep) left.set(`${target.name}:${workload.id}`, { scratch: input.scratch, target });
        const runResult: RunResult = { workload, target, run, result };
        results.push(runResult);
        onResult(runResult, (Date.now() - began) / 1000);
      }
    }
    for (const { scratch, target } of left.values()) await disposeScratch(makeScratch(scratch), target);
  }
  return results;
}

/** Unique per measurement: a file name and a PostgreSQL schema. */
function scratchName(run: number, workload: Workload, target: Target): string {
  return `bench_${process.pid}_${run}_${workload.id}_${target.name}`.toLowerCase().replace(/-/g, '_');
}

async function measure(input: ChildInput, nodeArgs: string[], timeoutMs: number): Promise<RunResult['result']> {
  const child = spawnScript<ChildResult>(new URL('./child.ts', import.meta.url), input, { timeoutMs, nodeArgs });
  try {
    return await child.result;
  } catch (error) {
    return { failed: (error as Error).message };
  } finally {
    await child.exited;
  }
}
