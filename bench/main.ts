// `npm run bench`: runs the workloads of WORKLOADS.md on Eventline's
// stores (and with --vs emmett, Emmett's and the raw-driver floors), each
// measurement in a child process of its own, stores interleaved within each run.

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensurePeers } from './running/install-peers.js';
import { describeMachine } from './running/machine.js';
import { parseOptions, type Options } from './running/options.js';
import { formatValue, humanReport, jsonLines } from './reporting/report.js';
import { runAll } from './running/runner.js';
import { postgresBaseUrl } from './running/scratch.js';
import { selectTargets, selectWorkloads } from './running/select.js';
import { summarise, type RunResult } from './reporting/stats.js';
import type { Workload } from './workloads/workload.js';

async function main(options: Options): Promise<void> {
  const started = Date.now();
  const workloads = selectWorkloads(options.only);
  const targets = selectTargets(options.stores, options.vs !== undefined);
  if (targets.length === 0) throw new Error('no store selected');
  if (targets.some((t) => t.usesPeers)) ensurePeers();
  if (targets.some((t) => t.kind === 'postgres')) await assertPostgresReachable();
  const profileDir = options.prof ? fileURLToPath(new URL('./results/profiles/', import.meta.url)) : undefined;

  const header = options.json ? [] : await describeMachine(targets);
  const loadAtStart = loadAverage();
  const plan = { workloads, targets, runs: options.runs, scale: options.scale, profileDir };
  const results = await runAll(plan, ({ workload, target, run, result }, seconds) =>
    progress(`run ${run + 1}/${options.runs} ${workload.id} ${target.name}: ${describe(workload, result)} (${seconds.toFixed(1)} s)`),
  );

  const summaries = summarise(results);
  if (options.json) {
    for (const line of jsonLines(summaries, options.vs !== undefined)) console.log(line);
    return;
  }
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, '');
  const report = [
    `# Eventline benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${command}\` (${options.runs} run${options.runs === 1 ? '' : 's'}, scale ${options.scale}, ${Math.round((Date.now() - started) / 1000)} s)`,
    '',
    '## Machine and durability',
    ...header,
    // The machine may be shared: say how busy it was, since that moves absolute figures.
    `- Load average (1, 5, 15 min): ${loadAtStart} at the start, ${loadAverage()} at the end`,
    '',
    humanReport(summaries, options.vs !== undefined),
  ].join('\n');
  console.log(report);
  // The page's tables (docs/benchmarks.md) are filled from this file.
  mkdirSync(dirname(LATEST), { recursive: true });
  writeFileSync(LATEST, `${report}\n`);
  progress(`written to ${relative(process.cwd(), LATEST)}`);
}

/** The report of the last run that printed one. */
const LATEST = fileURLToPath(new URL('./results/latest.md', import.meta.url));

function describe(workload: Workload, r: RunResult['result']): string {
  if (r.failed) return `fails: ${r.failed}`;
  if (r.skipped) return r.skipped;
  const conflicts = r.conflicts === undefined ? '' : `, conflicts ${r.conflicts}`;
  const counts = r.lost === undefined ? '' : `${conflicts}, lost ${r.lost}, duplicated ${r.duplicated}`;
  const p99 = r.p99Ms === undefined ? '' : `, p99 ${formatValue(r.p99Ms, 'ms')} ms`;
  const http = r.non2xx === undefined ? '' : `, non-2xx ${r.non2xx}, errors ${r.errors}`;
  return `${formatValue(r.value!, workload.unit)} ${workload.unit}${counts}${p99}${http}, RSS ${r.rssMB?.toFixed(0)} MB`;
}

function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: postgresBaseUrl(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${postgresBaseUrl()} is unreachable (${(error as Error).message}); start it, set EVENTLINE_POSTGRES_URL, or pass --stores memory,sqlite`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

try {
  await main(parseOptions(process.argv.slice(2)));
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
