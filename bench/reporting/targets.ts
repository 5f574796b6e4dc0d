// The targets of WORKLOADS.md, checked against a run: each one whose figures the run has,
// with its ratio (or figure) and whether it is met.

import { emmettOf, floorOf, ratio, W8_IDS } from './ratios.js';
import type { Summary } from './stats.js';

export interface Goal {
  goal: string;
  workload: string;
  store: string;
  against: string;
  /** The measured ratio, or for integrity goals the lost + duplicated count. */
  actual?: number;
  needed: string;
  met?: boolean;
  /** How the actual figure is printed, when it is not a ratio. */
  shown?: string;
  /** The figures compared: ours, and the other store's (or the other size's). */
  ours?: Summary;
  theirs?: Summary;
}

const READS_AND_WRITES = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6'];

/** The targets, for every one whose figures this run has. */
export function checkGoals(all: readonly Summary[]): Goal[] {
  const goals: Goal[] = [];
  const vs = (goal: string, store: string, workloads: readonly string[], needed: number, other: (s: Summary) => Summary | undefined) => {
    for (const workload of workloads) {
      const ours = all.find((s) => s.workload.id === workload && s.target.name === store);
      if (!ours) continue;
      const theirs = other(ours);
      const r = ratio(ours, theirs);
      goals.push({
        goal,
        workload,
        store,
        against: theirs?.target.name ?? '(no figure)',
        actual: r,
        needed: `>= ${needed}x`,
        ours,
        theirs,
        // A store of ours that failed any run misses its target, whatever the others measured.
        met: ours.failed ? false : r === undefined ? undefined : r >= needed,
      });
    }
  };
  vs('SQLite default >= 0.7x NORMAL floor', 'sqlite', READS_AND_WRITES, 0.7, (s) => floorOf(s, all));
  vs('SQLite FULL >= 0.7x FULL floor', 'sqlite-full', READS_AND_WRITES, 0.7, (s) => floorOf(s, all));
  vs('PostgreSQL >= 0.7x faster floor', 'postgres', READS_AND_WRITES.filter((w) => w !== 'W4'), 0.7, (s) => floorOf(s, all));
  // W4 on PostgreSQL: against a floor that reads the same columns (floorOf knows which).
  vs('PostgreSQL W4 >= 0.7x same-columns floor', 'postgres', ['W4'], 0.7, (s) => floorOf(s, all));
  // W2 in a fresh process (cold) is reported with no target; the warm figure is compared.
  vs('memory >= 5x Emmett in-memory', 'memory', ['W1', 'W2-WARM', 'W3'], 5, (s) => emmettOf(s, all));
  for (const s of all) {
    if (s.target.family !== 'ours' || !s.workload.id.startsWith('W7')) continue;
    const broken = (s.lost ?? 0) + (s.duplicated ?? 0);
    goals.push({
      goal: 'W7 loses and duplicates nothing',
      workload: s.workload.id,
      store: s.target.name,
      against: 'its own stream',
      actual: broken,
      needed: '0 lost, 0 duplicated',
      ours: s,
      met: !s.failed && s.lost === 0 && s.duplicated === 0,
    });
  }
  vs('PostgreSQL W7 >= Emmett PostgreSQL', 'postgres', ['W7', 'W7p'], 1, (s) => emmettOf(s, all));
  // W8: appends that scale with concurrent writers, each event stored once.
  vs('PostgreSQL W8 >= 0.7x floor-pg', 'postgres', ['W8-16', 'W8-32'], 0.7, (s) => floorOf(s, all));
  for (const s of all) {
    if (s.target.family !== 'ours' || !W8_IDS.includes(s.workload.id)) continue;
    const broken = (s.lost ?? 0) + (s.duplicated ?? 0);
    goals.push({
      goal: 'W8 stores every event once',
      workload: s.workload.id,
      store: s.target.name,
      against: 'its own streams and readAll',
      actual: broken,
      shown: String(broken),
      needed: '0 lost, 0 duplicated',
      ours: s,
      // The check fails the measurement when a stream or readAll is wrong in any other way.
      met: !s.failed && s.lost === 0 && s.duplicated === 0,
    });
  }

  // S1: a snapshot makes the longest stream load about as fast as the shortest; without
  // one, ours folds at least twice as fast as Emmett's aggregateStream.
  for (const store of ['sqlite', 'postgres']) {
    const shortest = all.find((s) => s.workload.id === 'S1-10-SNAP100' && s.target.name === store);
    const longest = all.find((s) => s.workload.id === 'S1-100K-SNAP100' && s.target.name === store);
    if (shortest?.median === undefined || longest?.median === undefined) continue;
    const times = longest.median / shortest.median;
    goals.push({
      goal: 'S1 with snapshots: 100K load <= 2x 10 load',
      workload: 'S1-100K-SNAP100',
      store,
      against: 'S1-10-SNAP100',
      actual: times,
      shown: `${times.toFixed(2)}x the time`,
      needed: '<= 2x the time',
      ours: longest,
      theirs: shortest,
      met: !longest.failed && times <= 2,
    });
  }
  vs('S1 no snapshots >= 2x Emmett aggregateStream', 'sqlite', ['S1-10', 'S1-1K', 'S1-100K'], 2, (s) => emmettOf(s, all));
  vs('S1 no snapshots >= 2x Emmett aggregateStream', 'postgres', ['S1-10', 'S1-1K', 'S1-100K'], 2, (s) => emmettOf(s, all));
  // P1: against the raw driver rebuilding the same read model from the same rows.
  vs('P1 >= 0.7x raw-driver rebuild', 'sqlite', ['P1'], 0.7, (s) => floorOf(s, all));
  vs('P1 >= 0.7x raw-driver rebuild', 'postgres', ['P1'], 0.7, (s) => floorOf(s, all));
  vs('P1 >= 3x Emmett', 'sqlite', ['P1'], 3, (s) => emmettOf(s, all));
  vs('P1 >= 3x Emmett', 'postgres', ['P1'], 3, (s) => emmettOf(s, all));
  // E1: sealing two personal fields per event costs at most 1.3x, appends and reads.
  // O1: OpenTelemetry on costs at most 1.1x: W1's time, and P2's p99 latency.
  const costs = (goal: string, workloads: readonly string[], against: string, needed: number, shown: (s: Summary, cost: number) => string) => {
    for (const s of all) {
      const cost = s.details?.costRatio;
      if (s.target.family !== 'ours' || !workloads.includes(s.workload.id) || typeof cost !== 'number') continue;
      goals.push({ goal, workload: s.workload.id, store: s.target.name, against, actual: cost, shown: shown(s, cost), needed: `<= ${needed}x`, ours: s, met: !s.failed && cost <= needed });
    }
  };
  costs('E1 sealed <= 1.3x plain', ['E1-W1', 'E1-W4'], 'the same workload plain, in turns', 1.3, (s, cost) => `${cost.toFixed(2)}x the time (floor ${s.details?.floorRatio ?? '?'}x)`);
  costs('O1 traced <= 1.1x off', ['O1-W1', 'O1-P2'], 'the same workload with telemetry off, in turns', 1.1, (s, cost) =>
    s.workload.id === 'O1-W1' ? `${cost.toFixed(2)}x the time` : `${cost.toFixed(2)}x the p99 (p50 ${s.details?.p50Ratio ?? '?'}x)`,
  );
  const p2 = all.find((s) => s.workload.id === 'P2' && s.target.name === 'sqlite');
  if (p2?.median !== undefined) {
    goals.push({ goal: 'P2 SQLite p99 < 50 ms', workload: 'P2', store: 'sqlite', against: 'absolute', actual: p2.median, shown: `p99 ${p2.median.toFixed(1)} ms`, needed: '< 50 ms', met: !p2.failed && p2.median < 50, ours: p2 });
  }
  return goals.filter((g) => g.met !== undefined);
}
