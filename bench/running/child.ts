// One measurement in a process of its own: one workload on one store, in a fresh
// scratch that is removed afterwards. Reports the figure and the process's peak RSS.

import type { Scratch } from '../workloads/adapter.js';
import { disposeScratch, makeScratch, prepareScratch } from './scratch.js';
import { childInput, sendResult } from './spawn.js';
import { findTarget, openTarget } from './stores.js';
import { findWorkload } from '../workloads/index.js';
import { sizesFor } from '../workloads/sizes.js';
import type { Measurement } from '../workloads/workload.js';

export interface ChildInput {
  workload: string;
  target: string;
  scale: number;
  scratch: string;
  /** The scratch holds what an earlier workload left for this one (Workload.reuses). */
  seeded: boolean;
  /** Leave the scratch for a later workload that reuses it. */
  keep: boolean;
}

export interface ChildResult extends Measurement {
  rssMB: number;
}

/** One line, short enough for a table cell. */
export function describeError(error: unknown): string {
  const e = error as { message?: string; code?: string };
  const message = (e.message ?? String(error)).split('\n')[0]!.trim();
  const text = e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

async function measure(input: ChildInput, scratch: Scratch): Promise<Measurement> {
  const target = findTarget(input.target);
  let store;
  try {
    store = await openTarget(target.name, scratch);
  } catch (error) {
    return { failed: `cannot open: ${describeError(error)}` };
  }
  try {
    const context = { store, sizes: sizesFor(input.scale), target: target.name, scratch, seeded: input.seeded };
    return await findWorkload(input.workload).run(context);
  } catch (error) {
    return { failed: describeError(error) };
  } finally {
    await store.close().catch(() => {});
  }
}

// A peer that throws where no one can catch it (inside a driver callback) fails the
// measurement with its own words rather than ending the process with no result.
let reported = false;
async function report(result: ChildResult): Promise<void> {
  if (reported) return;
  reported = true;
  await sendResult(result);
}
const crashed = (error: unknown) => {
  void report({ failed: `crashed: ${describeError(error)}`, rssMB: process.resourceUsage().maxRSS / 1024 }).then(() => process.exit(1));
};
process.on('uncaughtException', crashed);
process.on('unhandledRejection', crashed);

const input = childInput<ChildInput>();
const place = findTarget(input.target);
const scratch = makeScratch(input.scratch);
if (!input.seeded) await prepareScratch(scratch, place);
const measurement = await measure(input, scratch);
if (!input.keep || measurement.failed) await disposeScratch(scratch, place);
const rssMB = Math.max(process.resourceUsage().maxRSS / 1024, measurement.spawnedRssMB ?? 0);
await report({ ...measurement, rssMB });
// A peer may leave handles open; the measurement is over either way.
process.exit(0);
