// Which workloads and stores a run measures, from --only, --stores and --vs.

import type { Kind } from './scratch.js';
import { TARGETS, findTarget, type Target } from './stores.js';
import { WORKLOADS } from '../workloads/index.js';
import type { Workload } from '../workloads/workload.js';

const KINDS: readonly string[] = ['memory', 'sqlite', 'postgres'];

export function selectWorkloads(only: readonly string[] | undefined): Workload[] {
  if (!only) return [...WORKLOADS];
  const known = new Set(WORKLOADS.flatMap((w) => (w.group ? [w.id, w.group] : [w.id])));
  for (const id of only) if (!known.has(id)) throw new Error(`unknown workload ${id}; known: ${[...known].join(', ')}`);
  // W7 names the race; its 4-process variant comes with it.
  return WORKLOADS.filter((w) => only.includes(w.id) || (w.group !== undefined && only.includes(w.group)) || (w.id === 'W7p' && only.includes('W7')));
}

/** A kind selects our plain stores of it, and with --vs every store of it; a name selects that store. */
export function selectTargets(stores: readonly string[], vs: boolean): Target[] {
  const chosen = new Set<string>();
  for (const token of stores) {
    if (KINDS.includes(token)) {
      TARGETS.filter((t) => t.kind === (token as Kind) && (vs || !t.vsOnly)).forEach((t) => chosen.add(t.name));
    } else {
      chosen.add(findTarget(token).name);
    }
  }
  return TARGETS.filter((t) => chosen.has(t.name));
}

/** Whether a workload runs on a store: its kind and family, or the floor was made for it. */
export function runsOn(workload: Workload, target: Target): boolean {
  if (!workload.kinds.includes(target.kind)) return false;
  if (target.workloads) return target.workloads.includes(workload.id);
  return workload.families?.includes(target.family) ?? true;
}

/** The stores a workload runs on this time, rotated per run so none is always first or last. */
export function storesFor(workload: Workload, targets: readonly Target[], run: number): Target[] {
  const eligible = targets.filter((t) => runsOn(workload, t));
  const shift = eligible.length === 0 ? 0 : run % eligible.length;
  return [...eligible.slice(shift), ...eligible.slice(0, shift)];
}
