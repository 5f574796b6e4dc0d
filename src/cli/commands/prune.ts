// `eventline prune`: removes old events under retention policies, archiving them first
// (docs/retention.md). The policies come from the application's module (--policies), or
// one policy is made from flags for a category; a prefix of a stream that keeps events
// is compacted with the category's decider (--decider). --dry-run prints the plan and
// writes nothing, not even the finishing of a run an earlier prune left half done.

import { resolve } from 'node:path';
import { pruneStore, type PrunePhase, type PrunePlan, type PruneReport, type RetentionPolicy } from '../../retention/index.js';
import type { Command, OptionValues, Task } from '../command.js';
import { UsageError } from '../errors.js';
import { printable } from '../format.js';
import { createProgressBar, type ProgressBar } from '../progress.js';
import { createTablePrinter } from '../table.js';
import { importUserModule } from '../user-module.js';
import { quote, wholeNumber } from '../values.js';
import { loadDecider } from './snapshots.js';

/** Where archives go when --archive is not given, from the current folder. */
export const DEFAULT_ARCHIVE_DIR = 'archives';

const COLUMNS = [
  { title: 'POLICY', align: 'left' },
  { title: 'STREAM', align: 'left' },
  { title: 'ACTION', align: 'left' },
  { title: 'VERSIONS', align: 'right' },
  { title: 'EVENTS', align: 'right' },
  { title: 'BYTES', align: 'right' },
] as const;

const FLAG_POLICY = ['category', 'max-age', 'max-count', 'truncate-before', 'decider', 'schema-version'] as const;
const DURATION = /^([0-9]{1,6})(d|h|m)$/;
const DURATION_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'Remove old events under retention policies, archiving them first',
  synopsis:
    '(--policies <module> | --category <c> [--max-age <365d>] [--max-count <n>] [--truncate-before <v>] [--decider <module>]) ' +
    '[--archive <dir>] [--dry-run] [--force]',
  positionals: [],
  options: {
    policies: { type: 'string' },
    category: { type: 'string' },
    'max-age': { type: 'string' },
    'max-count': { type: 'string' },
    'truncate-before': { type: 'string' },
    decider: { type: 'string' },
    'schema-version': { type: 'string' },
    archive: { type: 'string' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
  },
  optionHelp: [
    ['--policies <module>', 'An ES module exporting `policies` (or a default list) of retentionPolicy(...)'],
    ['--category <c>', 'Instead: one policy for the streams whose id starts with `<c>-`, from the flags below'],
    ['  --max-age <n>d|h|m', 'Remove events recorded longer ago than this (365d: a year)'],
    ['  --max-count <n>', 'Keep the newest n events of each stream'],
    ['  --truncate-before <v>', 'Remove the versions before v'],
    ['  --decider <module>', 'The category\'s decider (initialState, evolve): a stream that keeps events gets a'],
    ['', 'StreamCompacted event with its state. Without it only whole streams could go, so a'],
    ['', 'prefix is refused'],
    ['  --schema-version <n>', 'The compacted state\'s schema version. Default: the decider\'s snapshotSchemaVersion, else 1'],
    ['--archive <dir>', `Where the archives go (made when missing). Default ./${DEFAULT_ARCHIVE_DIR}`],
    ['--dry-run', 'Print what would go, the consumers it would strand and the projections that could no'],
    ['', 'longer be rebuilt from position 0; write nothing'],
    ['--force', 'Prune past consumers that have not processed the events yet (they are named)'],
  ],
  prints:
    'One line per stream pruned (policy, stream, remove or compact, versions, events, bytes), then the\n' +
    'totals, the consumers stranded and the projections that can no longer rebuild from 0; a run adds\n' +
    'its id, its archive and the space given back. Progress on stderr. With --json one object: the plan\'s\n' +
    'streams and totals, and for a run {"run","removed","archive","bytesBefore","bytesAfter","space"}.',
  examples: [
    'eventline prune --category post --max-count 100 --decider examples/blog/index.ts --dry-run',
    'eventline prune --policies ./retention.mjs --archive /srv/archives',
    'eventline prune --category session --max-age 30d --force --json',
  ],

  async prepare({ values }) {
    const archiveDir = resolve(process.cwd(), stringOption(values, 'archive') ?? DEFAULT_ARCHIVE_DIR);
    const policies = await policiesOf(values);
    return pruneTask({ policies, archiveDir, dryRun: values['dry-run'] === true, force: values.force === true });
  },
};

interface PruneArgs {
  policies: RetentionPolicy[];
  archiveDir: string;
  dryRun: boolean;
  force: boolean;
}

function pruneTask({ policies, archiveDir, dryRun, force }: PruneArgs): Task {
  return async ({ store, out }) => {
    // Progress on stderr, as a rebuild's: a bar for a person, lines for a log, none with --json.
    const stderr = process.stderr;
    const bars = new Map<PrunePhase, ProgressBar>();
    const show = !dryRun && (stderr.isTTY || !out.json);
    const report = await pruneStore(store, {
      policies,
      archiveDir,
      dryRun,
      force,
      onProgress: ({ phase, done, total }) => {
        if (!show || total === 0) return;
        let bar = bars.get(phase);
        if (bar === undefined) bars.set(phase, (bar = createProgressBar(stderr, { label: PHASES[phase].label, unit: PHASES[phase].unit })));
        const state = { done, fraction: done / total, perSecond: 0, etaSeconds: undefined };
        if (done >= total) bar.finish(state);
        else bar.update(state);
      },
    });
    if (out.json) return out.record(reportJson(report));
    await printPlan(report.plan, out.line);
    await printRun(report, out.line);
  };
}

const PHASES: Record<PrunePhase, { label: string; unit: string }> = {
  plan: { label: 'planning', unit: 'streams' },
  compact: { label: 'compacting', unit: 'streams' },
  archive: { label: 'archiving', unit: 'events' },
  delete: { label: 'deleting', unit: 'events' },
};

async function printPlan(plan: PrunePlan, line: (text: string) => Promise<void>): Promise<void> {
  const table = createTablePrinter(COLUMNS, line);
  for (const s of plan.streams) {
    await table.row([s.policy, printable(s.streamId), s.action, `${s.fromVersion}..${s.upToVersion}`, String(s.events), String(s.bytes)]);
  }
  if ((await table.end()) === 0) {
    await line('nothing to prune');
    return;
  }
  for (const p of plan.policies) await line(`policy ${p.policy}: ${p.events} events of ${p.streams} streams, ${p.bytes} bytes`);
  if (plan.stranded.length > 0) {
    await line(`consumers that have not processed these events: ${plan.stranded.map((c) => `${c.kind} ${c.name} (at ${c.position})`).join(', ')}`);
  }
  if (plan.notRebuildableFromZero.length > 0) {
    await line(`projections that can no longer be rebuilt from position 0: ${plan.notRebuildableFromZero.join(', ')} (they rebuild from the compacted state)`);
  }
}

async function printRun(report: PruneReport, line: (text: string) => Promise<void>): Promise<void> {
  if (report.dryRun) {
    if (report.plan.events > 0) await line('dry run: nothing was written');
    return;
  }
  const { resumed } = report;
  if (resumed.finished.length > 0) await line(`finished runs an earlier prune left half done: ${resumed.finished.join(', ')}`);
  if (report.changed.length > 0) await line(`left out, changed while the run went on: ${report.changed.map(printable).join(', ')}`);
  if (report.run === undefined) return;
  await line(`run ${report.run}: removed ${report.removed} events; archive ${report.archive!.file} (sha256 ${report.archive!.sha256})`);
  const space = report.space;
  if (space !== undefined) {
    await line(`store bytes ${space.bytesBefore} before, ${space.bytesAfter} after (${space.done})${space.advice === undefined ? '' : `; ${space.advice}`}`);
  }
}

function reportJson(report: PruneReport): Record<string, unknown> {
  const { plan } = report;
  return {
    dryRun: report.dryRun,
    run: report.run ?? null,
    streams: plan.streams.map(({ policy, streamId, action, fromVersion, upToVersion, events, bytes }) => ({ policy, streamId, action, fromVersion, upToVersion, events, bytes })),
    policies: plan.policies,
    events: plan.events,
    bytes: plan.bytes,
    stranded: plan.stranded.map(({ kind, name, position }) => ({ kind, name, position })),
    notRebuildableFromZero: plan.notRebuildableFromZero,
    removed: report.removed,
    archive: report.archive ?? null,
    changed: report.changed,
    bytesBefore: report.bytesBefore,
    bytesAfter: report.bytesAfter,
    space: report.space ?? null,
    resumed: report.resumed,
  };
}

/** The policies of --policies, or the one the flags make; every problem is a usage error. */
async function policiesOf(values: OptionValues): Promise<RetentionPolicy[]> {
  const path = stringOption(values, 'policies');
  const flags = FLAG_POLICY.filter((name) => values[name] !== undefined);
  if (path !== undefined) {
    if (flags.length > 0) throw new UsageError(`prune takes --policies or --${flags[0]} and its kind, not both`);
    const module = await importUserModule('policies', path);
    const policies = module.policies ?? module.default;
    if (!Array.isArray(policies) || policies.length === 0) {
      throw new UsageError(`--policies: ${quote(path)} exports no policies (export a non-empty list as "policies" or as the default)`);
    }
    return policies as RetentionPolicy[];
  }
  const category = stringOption(values, 'category');
  if (category === undefined) throw new UsageError('prune needs --policies <module>, or --category <c> with --max-age, --max-count or --truncate-before');
  const maxAge = stringOption(values, 'max-age');
  const maxCount = stringOption(values, 'max-count');
  const truncateBefore = stringOption(values, 'truncate-before');
  if (maxAge === undefined && maxCount === undefined && truncateBefore === undefined) {
    throw new UsageError('prune --category needs --max-age, --max-count or --truncate-before');
  }
  const policy: RetentionPolicy = {
    name: category,
    category,
    ...(maxAge !== undefined && { maxAge: duration(maxAge) }),
    ...(maxCount !== undefined && { maxCount: wholeNumber(maxCount, 'max-count', 1) }),
    ...(truncateBefore !== undefined && { truncateBefore: wholeNumber(truncateBefore, 'truncate-before', 2) }),
  };
  if (values.decider === undefined) {
    if (values['schema-version'] !== undefined) throw new UsageError('--schema-version goes with --decider');
    return [policy];
  }
  const { folder, schemaVersion } = await loadDecider(values, 'prune', 1);
  return [{ ...policy, fold: { ...folder, stateSchemaVersion: schemaVersion } }];
}

function duration(text: string): number {
  const parts = DURATION.exec(text);
  if (parts === null || Number(parts[1]) === 0) throw new UsageError(`--max-age must be a number of days, hours or minutes, like 365d, 12h or 30m (got ${quote(text)})`);
  return Number(parts[1]) * DURATION_MS[parts[2] as keyof typeof DURATION_MS];
}

function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} must not be empty`);
  return value;
}

