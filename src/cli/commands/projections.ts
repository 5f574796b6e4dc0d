// `eventline projections status | retry | skip | rebuild`: the operator's view of the
// application's projections and the ways out of a failure. The projections come from
// the application's own module (--projections); this process runs none of them, it
// only reads and changes their checkpoints, so it is safe beside the running ones.

import { ProjectionBusyError } from '../../core/errors.js';
import { projectionControls, type ProjectionStatus } from '../../projections/host.js';
import type { Projection } from '../../projections/projection.js';
import { ABANDONED_AFTER_MS, type RebuildProgress } from '../../projections/rebuild.js';
import { commandAction, stringValue } from '../args.js';
import type { Command, OptionValues, Task } from '../command.js';
import { UsageError } from '../errors.js';
import { printable } from '../format.js';
import { createProgressBar, type ProgressState } from '../progress.js';
import { createTablePrinter } from '../table.js';
import { quote, wholeNumber } from '../values.js';
import { loadProjections } from '../user-module.js';

const COLUMNS = [
  { title: 'NAME', align: 'left' },
  { title: 'VERSION', align: 'right' },
  { title: 'STATE', align: 'left' },
  { title: 'POSITION', align: 'right' },
  { title: 'HEAD', align: 'right' },
  { title: 'LAG', align: 'right' },
  { title: 'ERROR', align: 'left' },
] as const;

/** The options each action takes; any other is a usage error. */
const ACTION_OPTIONS = {
  status: ['projections'],
  retry: ['projections'],
  skip: ['projections', 'position'],
  rebuild: ['projections', 'force'],
} as const;

export const projectionsCommand: Command = {
  name: 'projections',
  summary: 'Show the projections\' state, and retry, skip or rebuild one',
  synopsis: 'status | retry <name> | skip <name> --position <p> | rebuild <name> [--force]  --projections <module>',
  positionals: ['action', 'name?'],
  options: {
    projections: { type: 'string' },
    position: { type: 'string' },
    force: { type: 'boolean' },
  },
  optionHelp: [
    ['--projections <module>', 'An ES module (path from the current folder) exporting `projections`, an array of'],
    ['', 'projections, or the array as its default export; a .ts module needs tsx (NODE_OPTIONS="--import tsx")'],
    ['status', 'Each projection\'s version, state, position, the store\'s head, the lag and the error'],
    ['retry <name>', 'Set a failed projection running again; it retries the event it failed at'],
    ['skip <name>', 'Move a failed projection past the event it failed at, and set it running'],
    ['  --position <p>', 'The failed event\'s position, as status shows it (a guard against skipping another)'],
    ['rebuild <name>', 'Build the projection\'s tables afresh from the first event, then swap them in'],
    ['  --force', `Take over a rebuild in progress without waiting for its heartbeat to be ${ABANDONED_AFTER_MS / 1000} s old`],
  ],
  prints: 'status: one line per projection. retry, skip: what changed. rebuild: progress on stderr (a bar on a\n' +
    'terminal, else a line a second), then one summary line.\n' +
    'With --json: status is NDJSON {"name","version","state","position","head","lag","error","errorPosition",\n' +
    '"updatedAt"}; retry is {"name","state","retries"}; skip is {"name","state","skipped"}; rebuild is\n' +
    '{"name","events","position","seconds","eventsPerSecond"}.',
  examples: [
    'NODE_OPTIONS="--import tsx" eventline projections status --projections src/projections.ts',
    'eventline projections skip balances --position 1042 --projections dist/projections.js',
    'eventline projections rebuild balances --projections dist/projections.js',
  ],

  async prepare({ values, positionals }) {
    const [actionText, name] = positionals as [string, string | undefined];
    const action = commandAction(projectionsCommand, ACTION_OPTIONS, actionText, values);
    if (action === 'status' && name !== undefined) throw new UsageError(`projections status: unexpected argument ${quote(name)}`);
    if (action !== 'status' && name === undefined) throw new UsageError(`projections ${action} needs <name>`);
    const position = action === 'skip' ? skipPosition(values) : 0;
    const projections = await projectionsOption(values);
    if (action === 'status') return statusTask(projections);
    // Checked here, so an unknown name never opens the store.
    if (!projections.some((p) => p.name === name)) {
      throw new UsageError(`projections: no projection is called ${quote(name!)} (the module has ${projections.map((p) => p.name).join(', ')})`);
    }
    if (action === 'retry') return retryTask(projections, name!);
    if (action === 'skip') return skipTask(projections, name!, position);
    return rebuildTask(projections, name!, values.force === true);
  },
};

function skipPosition(values: OptionValues): number {
  const text = stringValue(values, 'position');
  if (text === undefined) throw new UsageError('projections skip needs --position <p>, the position of the event it failed at');
  return wholeNumber(text, 'position', 1);
}

function statusTask(projections: readonly Projection[]): Task {
  return async ({ store, out }) => {
    const statuses = await projectionControls(store, projections).status();
    if (out.json) {
      for (const s of statuses) await out.record({ ...s, updatedAt: s.updatedAt.toISOString() });
      return;
    }
    const table = createTablePrinter(COLUMNS, (text) => out.line(text.trimEnd()));
    for (const s of statuses) {
      await table.row([s.name, String(s.version), s.state, String(s.position), String(s.head), String(s.lag), errorText(s)]);
    }
    await table.end();
  };
}

function errorText(status: ProjectionStatus): string {
  if (status.error === null) return '';
  return `at position ${status.errorPosition}: ${printable(status.error)}`;
}

function retryTask(projections: readonly Projection[], name: string): Task {
  return async ({ store, out }) => {
    const controls = projectionControls(store, projections);
    const failedAt = (await controls.status()).find((s) => s.name === name)!.errorPosition;
    await controls.retry(name);
    if (out.json) await out.record({ name, state: 'running', retries: failedAt });
    else await out.line(`projection ${name} is running again; it retries the event at position ${failedAt}`);
  };
}

function skipTask(projections: readonly Projection[], name: string, position: number): Task {
  return async ({ store, out }) => {
    await projectionControls(store, projections).skip(name, position);
    if (out.json) await out.record({ name, state: 'running', skipped: position });
    else await out.line(`projection ${name} skipped the event at position ${position} and is running again`);
  };
}

function rebuildTask(projections: readonly Projection[], name: string, force: boolean): Task {
  return async ({ store, out }) => {
    const controls = projectionControls(store, projections);
    // Said here in the operator's terms; the rebuild checks again as it starts.
    const current = (await controls.status()).find((s) => s.name === name)!;
    const age = Math.max(Date.now() - current.updatedAt.getTime(), 0);
    if (current.state === 'rebuilding' && !force && age < ABANDONED_AFTER_MS) {
      throw new ProjectionBusyError(
        `projection ${name} is being rebuilt already (last heartbeat ${Math.round(age / 1000)} s ago); ` +
          `--force takes it over now, if the process running it is gone`,
      );
    }
    // Progress goes to stderr (the task has no writer for it, so process.stderr): a bar
    // when a person is watching, plain lines for a log, none with --json, where stderr
    // carries one JSON error.
    const stderr = process.stderr;
    const bar = stderr.isTTY || !out.json ? createProgressBar(stderr, { label: `rebuilding ${name}` }) : undefined;
    const started = Date.now();
    const result = await controls.rebuild(name, {
      abandonedAfterMs: force ? 0 : undefined,
      onProgress: (progress) => bar?.update(progressState(progress)),
    });
    bar?.finish(progressState(result));
    const seconds = (Date.now() - started) / 1000;
    const { events, position, eventsPerSecond } = result;
    if (out.json) await out.record({ name, events, position, seconds, eventsPerSecond });
    else await out.line(`rebuilt ${name}: ${events} events up to position ${position} in ${seconds.toFixed(1)} s (${eventsPerSecond} events/s), swapped in`);
  };
}

function progressState(progress: RebuildProgress): ProgressState {
  return {
    done: progress.events,
    fraction: progress.head === 0 ? 1 : progress.position / progress.head,
    perSecond: progress.eventsPerSecond,
    etaSeconds: progress.etaSeconds,
  };
}

/** The module named by --projections, which the command requires. */
function projectionsOption(values: OptionValues): Promise<Projection[]> {
  const path = stringValue(values, 'projections');
  if (path === undefined) throw new UsageError('projections needs --projections <module>, the module that exports them');
  return loadProjections(path);
}
