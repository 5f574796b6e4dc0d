// `eventline workflows show <id>`: one instance's whole story, from its stream. A few
// lines about the instance, then its inputs, outputs, timers and commands, each a
// table in stream order. The state needs the instance's definition (--workflows).

import { workflowControls, type WorkflowDetail } from '../../workflows/controls.js';
import type { Workflow } from '../../workflows/definition.js';
import type { Task } from '../command.js';
import { MAX_DATA_CHARS, printable } from '../format.js';
import type { Output } from '../output.js';
import { createTablePrinter, type Column } from '../table.js';

const INPUT_COLUMNS: readonly Column[] = [
  { title: 'POSITION', align: 'right' },
  { title: 'VERSION', align: 'right' },
  { title: 'INPUT', align: 'left' },
  { title: 'STATUS', align: 'left' },
  { title: 'DATA', align: 'left' },
];

const OUTPUT_COLUMNS: readonly Column[] = [
  { title: 'POSITION', align: 'right' },
  { title: 'VERSION', align: 'right' },
  { title: 'OUTPUT', align: 'left' },
  { title: 'DATA', align: 'left' },
];

const TIMER_COLUMNS: readonly Column[] = [
  { title: 'TIMER', align: 'left' },
  { title: 'DUE', align: 'left' },
  { title: 'STATE', align: 'left' },
  { title: 'FIRED', align: 'left' },
  { title: 'LATE', align: 'right' },
];

const COMMAND_COLUMNS: readonly Column[] = [
  { title: 'COMMAND', align: 'left' },
  { title: 'TYPE', align: 'left' },
  { title: 'OUTCOME', align: 'left' },
  { title: 'REASON', align: 'left' },
];

export function showTask(streamId: string, workflows: readonly Workflow[]): Task {
  return async ({ store, out }) => {
    const detail = await workflowControls(store, workflows).show(streamId);
    if (out.json) return out.record(detail);
    await printDetail(out, detail, workflows.some((w) => w.name === detail.workflow));
  };
}

async function printDetail(out: Output, detail: WorkflowDetail, haveDefinition: boolean): Promise<void> {
  const fields: [string, string][] = [
    ['instance', printable(detail.streamId)],
    ['workflow', detail.workflow],
    ['status', detail.status],
    ['version', detail.version === null ? '' : `${detail.version} (definition ${detail.definitionHash?.slice(0, 12) ?? '?'})`],
  ];
  if (detail.error !== null) fields.push(['error', printable(detail.error)]);
  if (detail.reason !== null) fields.push(['reason', printable(detail.reason)]);
  fields.push(['state', haveDefinition ? data(detail.state) : '(give --workflows <module> to fold it)']);
  for (const [name, value] of fields) await out.line(`${name.padEnd(9)} ${value}`);

  await section(out, 'inputs', INPUT_COLUMNS, detail.inputs.map((i) => [String(i.position), String(i.version), printable(i.type), i.status, data(i.data)]));
  await section(out, 'outputs', OUTPUT_COLUMNS, detail.outputs.map((o) => [String(o.position), String(o.version), printable(o.type), data(o.data)]));
  await section(
    out,
    'timers',
    TIMER_COLUMNS,
    detail.timers.map((t) => [printable(t.name), t.dueAt, t.state, t.firedAt ?? '', t.latenessMs === null ? '' : `${t.latenessMs} ms`]),
  );
  await section(
    out,
    'commands',
    COMMAND_COLUMNS,
    detail.commands.map((c) => [c.commandId, printable(c.command.type) + (c.compensates !== null ? ' (compensation)' : ''), c.outcome, printable(c.reason ?? '')]),
  );
}

async function section(out: Output, title: string, columns: readonly Column[], rows: string[][]): Promise<void> {
  await out.line('');
  if (rows.length === 0) return out.line(`no ${title}`);
  await out.line(`${title}:`);
  const table = createTablePrinter(columns, (text) => out.line(text.trimEnd()));
  for (const row of rows) await table.row(row);
  await table.end();
}

function data(value: unknown): string {
  const text = printable(JSON.stringify(value) ?? 'undefined');
  return text.length <= MAX_DATA_CHARS ? text : text.slice(0, MAX_DATA_CHARS - 1) + '…';
}
