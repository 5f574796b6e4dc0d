// Ours against the floors and Emmett. A ratio above 1 means ours is faster: throughput
// ours/theirs, or for a time (W5) their ms / our ms.

import type { Summary } from './stats.js';

/** W8's variants: 1, 4, 16, 32 writers in one process, and 4 processes × 8. */
export const W8_IDS = ['W8-1', 'W8-4', 'W8-16', 'W8-32', 'W8-4x8'];

const EMMETT_OF: Record<string, string> = {
  memory: 'emmett-memory',
  sqlite: 'emmett-sqlite',
  'sqlite-full': 'emmett-sqlite',
  postgres: 'emmett-postgres',
};

/**
 * The floors each store of ours is held to, and the workloads that have floors of their
 * own, made to do the same work as ours (WORKLOADS.md, "How two figures are compared"):
 * W4 on PostgreSQL reads every column a recorded event carries, P1 rebuilds from our rows,
 * C1 copies the same SQLite file into our events table.
 */
const FLOORS_OF: Record<string, { floors: readonly string[]; byWorkload?: Record<string, readonly string[]> }> = {
  sqlite: { floors: ['floor-better-sqlite3'], byWorkload: { P1: ['floor-better-sqlite3-rebuild'] } },
  'sqlite-full': { floors: ['floor-better-sqlite3-full'] },
  postgres: {
    floors: ['floor-pg', 'floor-postgres'],
    // W8's target is against the pg floor; the faster of the two is reported beside it.
    byWorkload: { W4: ['floor-pg-same-columns'], P1: ['floor-pg-rebuild'], C1: ['floor-pg-copy'], ...Object.fromEntries(W8_IDS.map((id) => [id, ['floor-pg']])) },
  },
};

function find(all: readonly Summary[], workload: string, store: string): Summary | undefined {
  return all.find((s) => s.workload.id === workload && s.target.name === store && s.median !== undefined);
}

/** How much faster `ours` is than `other`, when both have a figure. */
export function ratio(ours: Summary | undefined, other: Summary | undefined): number | undefined {
  if (ours?.median === undefined || other?.median === undefined) return undefined;
  return ours.unit === 'ms' ? other.median / ours.median : ours.median / other.median;
}

/** The faster of `names` in this workload, among those with a figure. */
function fastest(all: readonly Summary[], workload: string, names: readonly string[]): Summary | undefined {
  const floors = names.flatMap((name) => find(all, workload, name) ?? []);
  return floors.reduce<Summary | undefined>((best, f) => (best === undefined || (ratio(f, best) ?? 0) > 1 ? f : best), undefined);
}

/** The floor a store of ours is held to: the workload's own, else the store's (for PostgreSQL, the faster of the two drivers). */
export function floorOf(ours: Summary, all: readonly Summary[]): Summary | undefined {
  const of = FLOORS_OF[ours.target.name];
  return of && fastest(all, ours.workload.id, of.byWorkload?.[ours.workload.id] ?? of.floors);
}

/** Where a workload has a floor of its own, the store's usual floor, reported beside it (W4 on PostgreSQL: the 3-column floor). */
export function besideFloorOf(ours: Summary, all: readonly Summary[]): Summary | undefined {
  const of = FLOORS_OF[ours.target.name];
  if (of?.byWorkload?.[ours.workload.id] === undefined) return undefined;
  const beside = fastest(all, ours.workload.id, of.floors);
  // W8: when the pg floor is the faster, it is already the floor.
  return beside?.target.name === floorOf(ours, all)?.target.name ? undefined : beside;
}

export function emmettOf(ours: Summary, all: readonly Summary[]): Summary | undefined {
  const name = EMMETT_OF[ours.target.name];
  return name === undefined ? undefined : find(all, ours.workload.id, name);
}
