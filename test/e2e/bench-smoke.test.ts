// `npm run bench` end to end, at 1% of the sizes and one run, on our stores only (the
// peers are never installed here): every workload gives a figure on every store,
// W7 and W8 lose and duplicate nothing, the Lab (L1, L2) answers every request with a 2xx,
// and every review workflow instance of WF1 completes, its post published once.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { checkGoals } from '../../bench/reporting/targets.js';
import type { Summary } from '../../bench/reporting/stats.js';
import { findTarget } from '../../bench/running/stores.js';
import { findWorkload } from '../../bench/workloads/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const S1 = ['S1-10', 'S1-1K', 'S1-100K', 'S1-10-SNAP100', 'S1-1K-SNAP100', 'S1-100K-SNAP100'];
const HTTP = ['L1', 'L2'];
const WF1 = ['WF1', 'WF1-2p'];
const W8 = ['W8-1', 'W8-4', 'W8-16', 'W8-32', 'W8-4x8'];
const E1 = ['E1-W1', 'E1-W4', 'E1-FORGET'];
const O1 = ['O1-W1', 'O1-P2'];
const WORKLOADS = ['W1', 'W2', 'W2-WARM', 'W3', 'W4', 'W5', 'W6', 'W7', 'W7p', ...W8, ...S1, 'P1', 'P2', ...HTTP, ...WF1, ...E1, 'R1', 'C1', ...O1];
// W7p races OS processes, which only the SQL stores can share a stream between; the
// aggregate, projection, HTTP, workflow, sealing and pruning workloads run on the SQL stores.
const SQL_ONLY = new Set(['W7p', ...S1, 'P1', 'P2', ...HTTP, ...WF1, ...E1, 'R1', ...O1]);
// W2 warm is compared with Emmett's in-memory store only; WF1's second process, W8's writers and C1's copy (from SQLite) run on PostgreSQL.
const MEMORY_ONLY = new Set(['W2-WARM']);
const POSTGRES_ONLY = new Set(['WF1-2p', ...W8, 'C1']);
/** Workloads whose figure is a time. */
const IN_MS = new Set(['W5', ...S1, 'P2', 'E1-FORGET', 'O1-P2']);

/** A line of `--json`: the figures every measurement has, and those only some have. */
type Line = { workload: string; store: string; unit: string; failed?: string } & Record<'median' | 'min' | 'max' | 'rssMB', number> &
  Partial<Record<'conflicts' | 'lost' | 'duplicated' | 'p99Ms' | 'non2xx' | 'errors', number>>;

test('the benchmark runs every workload on our stores, W7 loses nothing and the Lab answers', { timeout: 240_000 }, () => {
  const stores = ['memory', 'sqlite', ...(process.env.EVENTLINE_POSTGRES_URL ? ['postgres'] : [])];
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/main.ts', '--scale', '0.01', '--runs', '1', '--json', '--stores', stores.join(',')],
    { cwd: ROOT, encoding: 'utf8', timeout: 230_000 },
  );
  assert.equal(run.status, 0, `the bench exited ${run.status}: ${run.stderr}`);

  const lines = run.stdout.trim().split('\n').map((text) => JSON.parse(text) as Line);
  const expected = WORKLOADS.flatMap((workload) =>
    stores
      .filter((store) => (store === 'memory' ? !SQL_ONLY.has(workload) : !MEMORY_ONLY.has(workload)))
      .filter((store) => store === 'postgres' || !POSTGRES_ONLY.has(workload))
      .map((store) => `${workload} ${store}`),
  );
  assert.deepEqual(lines.map((l) => `${l.workload} ${l.store}`).sort(), expected.sort());

  for (const line of lines) {
    const where = `${line.workload} on ${line.store}`;
    assert.equal(line.failed, undefined, `${where} failed: ${line.failed}`);
    const unit = IN_MS.has(line.workload) ? 'ms' : HTTP.includes(line.workload) ? 'req/s' : WF1.includes(line.workload) ? 'instances/s' : 'events/s';
    assert.equal(line.unit, unit, where);
    for (const figure of ['median', 'min', 'max', 'rssMB'] as const) {
      assert.ok(Number.isFinite(line[figure]) && line[figure] > 0, `${where}: ${figure} is ${line[figure]}`);
    }
    assert.ok(line.min <= line.median && line.median <= line.max, where);
    if (line.workload.startsWith('W7')) {
      assert.equal(line.lost, 0, `${where} lost events`);
      assert.equal(line.duplicated, 0, `${where} duplicated events`);
      assert.ok(Number.isInteger(line.conflicts), `${where}: conflicts is ${line.conflicts}`);
    }
    if (W8.includes(line.workload)) {
      assert.equal(line.lost, 0, `${where} lost events`);
      assert.equal(line.duplicated, 0, `${where} duplicated events`);
      assert.ok(Number.isFinite(line.p99Ms) && line.p99Ms! > 0, `${where}: p99Ms is ${line.p99Ms}`);
    }
    if (WF1.includes(line.workload)) {
      const figures = line as unknown as Record<'instances' | 'stepP99Ms' | 'latenessP99Ms', number>;
      assert.ok(figures.instances > 0, `${where}: instances is ${figures.instances}`);
      assert.ok(Number.isFinite(figures.stepP99Ms) && Number.isFinite(figures.latenessP99Ms), `${where}: no step latency or timer lateness`);
    }
    if (HTTP.includes(line.workload)) {
      assert.ok(Number.isFinite(line.p99Ms) && line.p99Ms! > 0, `${where}: p99Ms is ${line.p99Ms}`);
      assert.equal(line.non2xx, 0, `${where}: answers other than 2xx`);
      assert.equal(line.errors, 0, `${where}: requests without an answer`);
    }
  }
});

test('the re-stated targets compare with floors that do the same work, and W2 cold has none', () => {
  const summary = (workload: string, store: string, median: number): Summary => ({
    workload: findWorkload(workload),
    target: findTarget(store),
    unit: 'events/s',
    runs: 1,
    failedRuns: 0,
    median,
  });
  const goals = checkGoals([
    summary('W4', 'postgres', 80),
    summary('W4', 'floor-pg', 200),
    summary('W4', 'floor-pg-same-columns', 100),
    summary('W2', 'memory', 30),
    summary('W2', 'emmett-memory', 10),
    summary('W2-WARM', 'memory', 60),
    summary('W2-WARM', 'emmett-memory', 10),
    summary('P1', 'sqlite', 70),
    summary('P1', 'floor-better-sqlite3-rebuild', 100),
    summary('P1', 'postgres', 60),
    summary('P1', 'floor-pg-rebuild', 100),
    // W8 is held to the pg floor, even when porsager's is faster.
    { ...summary('W8-16', 'postgres', 80), lost: 0, duplicated: 0 },
    summary('W8-16', 'floor-pg', 100),
    summary('W8-16', 'floor-postgres', 200),
  ]);
  const seen = goals.map((g) => `${g.workload} ${g.store} against ${g.against}: ${g.actual?.toFixed(2)} ${g.met ? 'met' : 'missed'}`);
  assert.deepEqual(seen.sort(), [
    'P1 postgres against floor-pg-rebuild: 0.60 missed',
    'P1 sqlite against floor-better-sqlite3-rebuild: 0.70 met',
    'W2-WARM memory against emmett-memory: 6.00 met',
    'W4 postgres against floor-pg-same-columns: 0.80 met',
    'W8-16 postgres against floor-pg: 0.80 met',
    'W8-16 postgres against its own streams and readAll: 0.00 met',
  ]);
});
