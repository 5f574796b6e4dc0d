// `eventline workflows list | show | retry | verify`: the operator's view of workflow
// instances. Listing, showing and retrying read and append to the store only, so they
// need no code of the application's; `verify` loads the application's workflow
// definitions (--workflows) and replays the unfinished instances through them before
// a deploy. The command runs no workflow: the processes that do pick a retry up.

import type { InstanceStatus } from '../../workflows/instance.js';
import type { Workflow } from '../../workflows/definition.js';
import { workflowControls } from '../../workflows/controls.js';
import { commandAction, stringValue } from '../args.js';
import type { Command, OptionValues, Task } from '../command.js';
import { EXIT_FAILED, UsageError } from '../errors.js';
import { printable } from '../format.js';
import { createTablePrinter } from '../table.js';
import { loadWorkflows } from '../user-module.js';
import { quote } from '../values.js';
import { showTask } from './workflow-show.js';

/** The statuses an instance is listed under (an instance is never stored as `new`). */
export const LISTED_STATUSES = ['running', 'parked', 'compensating', 'completed', 'failed', 'compensated'] as const satisfies readonly InstanceStatus[];

const WORKFLOW_NAME = /^[a-z][a-z0-9_]{0,40}$/;
const INSTANCE_ID = /^workflow-[a-z][a-z0-9_]*-.+$/s;
const PAGE = 500;

const LIST_COLUMNS = [
  { title: 'INSTANCE', align: 'left' },
  { title: 'WORKFLOW', align: 'left' },
  { title: 'VERSION', align: 'right' },
  { title: 'STATUS', align: 'left' },
  { title: 'STARTED', align: 'left' },
  { title: 'UPDATED', align: 'left' },
  { title: 'ERROR', align: 'left' },
] as const;

const VERIFY_COLUMNS = [
  { title: 'INSTANCE', align: 'left' },
  { title: 'POSITION', align: 'right' },
  { title: 'KIND', align: 'left' },
  { title: 'RECORDED', align: 'left' },
  { title: 'DECIDED', align: 'left' },
] as const;

/** The options each action takes; any other is a usage error. */
const ACTION_OPTIONS = {
  list: ['status', 'workflow'],
  show: ['workflows'],
  retry: [],
  verify: ['workflows'],
} as const;

export const workflowsCommand: Command = {
  name: 'workflows',
  summary: 'List workflow instances, show one, retry a parked one, or verify new definitions',
  synopsis: 'list [--status <s>] [--workflow <name>] | show <id> [--workflows <module>] | retry <id> | verify --workflows <module>',
  positionals: ['action', 'id?'],
  options: {
    status: { type: 'string' },
    workflow: { type: 'string' },
    workflows: { type: 'string' },
  },
  optionHelp: [
    ['list', 'The instances in id order: workflow, version, status, when started and last changed, a parked error'],
    ['  --status <s>', `Only instances in this status: ${LISTED_STATUSES.join(', ')}`],
    ['  --workflow <name>', 'Only instances of this workflow'],
    ['show <id>', 'One instance (workflow-<name>-<id>): its inputs and outputs in order, its timers, its commands'],
    ['', 'and a parked error; with --workflows, also its state as the definition folds it'],
    ['retry <id>', 'Set a parked instance going again: its waiting inputs are taken in order'],
    ['verify', 'Replay every unfinished instance\'s recorded steps through the module\'s definitions and list'],
    ['', 'those whose outputs or state would differ; exit 1 when any would'],
    ['--workflows <module>', 'An ES module (path from the current folder); every export made with defineWorkflow'],
    ['', '(or an array of them) is taken; a .ts module needs tsx (NODE_OPTIONS="--import tsx")'],
  ],
  prints: 'list: one line per instance. show: the instance, then its inputs, outputs, timers and commands.\n' +
    'retry: what happens next. verify: how many instances were checked, and one line per instance that\n' +
    'would differ (the position of the first step that does, and the events recorded and decided).\n' +
    'With --json: list is NDJSON {"streamId","workflow","instanceId","version","status","error","startedAt",\n' +
    '"updatedAt"}; show is one object {"streamId","workflow","instanceId","status","version","definitionHash",\n' +
    '"state","error","reason","inputs","outputs","timers","commands","events"}; retry is {"streamId","status"};\n' +
    'verify is {"checked","differences":[{"streamId","position","kind","recorded","decided"}]}.',
  examples: [
    'eventline workflows list --status parked',
    'eventline workflows show workflow-review-hello',
    'eventline workflows retry workflow-review-hello',
    'NODE_OPTIONS="--import tsx" eventline workflows verify --workflows src/workflows.ts',
  ],

  async prepare({ values, positionals }) {
    const [actionText, id] = positionals as [string, string | undefined];
    const action = commandAction(workflowsCommand, ACTION_OPTIONS, actionText, values);
    const takesId = action === 'show' || action === 'retry';
    if (!takesId && id !== undefined) throw new UsageError(`workflows ${action}: unexpected argument ${quote(id)}`);
    if (takesId && id === undefined) throw new UsageError(`workflows ${action} needs <id>, an instance's stream id (workflow-<name>-<id>)`);
    // Checked here, so a mistyped id never opens the store.
    if (takesId && !INSTANCE_ID.test(id!)) throw new UsageError(`workflows ${action}: ${quote(id!)} is not an instance id (workflow-<name>-<id>, as list shows them)`);

    if (action === 'list') return listTask(listFilter(values));
    if (action === 'retry') return retryTask(id!);
    const path = stringValue(values, 'workflows');
    if (action === 'verify' && path === undefined) throw new UsageError('workflows verify needs --workflows <module>, the module that exports the definitions');
    const workflows = path === undefined ? [] : await loadWorkflows(path);
    return action === 'show' ? showTask(id!, workflows) : verifyTask(workflows);
  },
};

function listFilter(values: OptionValues): { status?: string; workflow?: string } {
  const status = stringValue(values, 'status');
  const workflow = stringValue(values, 'workflow');
  if (status !== undefined && !(LISTED_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${LISTED_STATUSES.join(', ')} (got ${quote(status)})`);
  }
  if (workflow !== undefined && !WORKFLOW_NAME.test(workflow)) {
    throw new UsageError(`--workflow must be a workflow's name: lower-case letters, digits and _, starting with a letter (got ${quote(workflow)})`);
  }
  return { ...(status !== undefined && { status }), ...(workflow !== undefined && { workflow }) };
}

function listTask(filter: { status?: string; workflow?: string }): Task {
  return async ({ store, out }) => {
    const controls = workflowControls(store);
    const table = createTablePrinter(LIST_COLUMNS, (text) => out.line(text.trimEnd()));
    let after: string | undefined;
    for (;;) {
      const page = await controls.list({ ...filter, limit: PAGE, ...(after !== undefined && { after }) });
      for (const row of page) {
        const startedAt = new Date(row.startedAt).toISOString();
        const updatedAt = new Date(row.updatedAt).toISOString();
        if (out.json) await out.record({ ...row, startedAt, updatedAt });
        else await table.row([printable(row.streamId), row.workflow, row.version === null ? '' : String(row.version), row.status, startedAt, updatedAt, printable(row.error ?? '')]);
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!.streamId;
    }
    if (out.json || (await table.end()) > 0) return;
    await out.line(`no${filter.status === undefined ? '' : ` ${filter.status}`} workflow instances${filter.workflow === undefined ? '' : ` of ${filter.workflow}`}`);
  };
}

function retryTask(streamId: string): Task {
  return async ({ store, out }) => {
    const controls = workflowControls(store);
    await controls.retry(streamId);
    if (out.json) await out.record({ streamId, status: 'retried' });
    else await out.line(`workflow instance ${printable(streamId)} is set going again; the process running the workflow takes its waiting inputs in order`);
  };
}

function verifyTask(workflows: readonly Workflow[]): Task {
  return async ({ store, out }) => {
    const report = await workflowControls(store, workflows).verify(workflows);
    if (out.json) {
      await out.record(report);
    } else {
      const names = [...new Set(workflows.map((w) => w.name))].join(', ');
      const differ = report.differences.length;
      await out.line(`checked ${report.checked} unfinished instance(s) of ${names}: ${differ === 0 ? 'none would differ' : `${differ} would differ`}`);
      const table = createTablePrinter(VERIFY_COLUMNS, (text) => out.line(text.trimEnd()));
      for (const d of report.differences) {
        await table.row([printable(d.streamId), String(d.position), d.kind, printable(d.recorded.join(', ')), printable(d.decided.join(', '))]);
      }
      await table.end();
    }
    return report.differences.length > 0 ? EXIT_FAILED : undefined;
  };
}
