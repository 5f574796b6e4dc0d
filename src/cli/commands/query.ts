// `eventline query as-of`: a read-model table as it was at a position or a time, and
// what changed since another point. The projections come from the application's own
// module; they are replayed into a private in-memory database, so the store's live
// tables are never read or written, and any past point can be asked about.

import type { Projection } from '../../projections/projection.js';
import { diffRows, projectionAsOf, type AsOf, type RowDiff, type TableAsOf, type TableRow } from '../../queries/as-of.js';
import { requiredString, stringValue } from '../args.js';
import type { Command, OptionValues, Task } from '../command.js';
import { UsageError } from '../errors.js';
import { printable } from '../format.js';
import type { Output } from '../output.js';
import { createTablePrinter } from '../table.js';
import { quote, wholeNumber } from '../values.js';
import { loadProjections } from '../user-module.js';

const MAX_CELL_CHARS = 60;

export const queryCommand: Command = {
  name: 'query',
  summary: 'Print a read-model table as of a position or a time, or what changed since another point',
  synopsis: 'as-of --projections <module> --table <table> (--position <n> | --time <iso>) [--diff-from <n|iso>]',
  positionals: ['action'],
  options: {
    projections: { type: 'string' },
    table: { type: 'string' },
    position: { type: 'string' },
    time: { type: 'string' },
    'diff-from': { type: 'string' },
  },
  optionHelp: [
    ['as-of', 'Replay the projection that owns --table over the events up to a point, into a private'],
    ['', 'in-memory database (the store\'s own tables are not touched), and print the table'],
    ['  --projections <module>', 'An ES module (path from the current folder) exporting `projections`, an array'],
    ['', 'of projections (or a default export); a .ts module needs tsx (NODE_OPTIONS="--import tsx")'],
    ['  --table <table>', 'The table to print: one that a projection of the module owns'],
    ['  --position <n>', 'As of the event at this position (0: before the first event)'],
    ['  --time <iso>', 'As of this time, inclusive: 2026-11-26T19:00:00Z (a zone is required) or 2026-11-26'],
    ['  --diff-from <n|iso>', 'Print instead what changed from this earlier point (a position or a time)'],
  ],
  prints: 'The table\'s rows in key order, after one line saying the point and how many events were replayed.\n' +
    'With --diff-from: one line per row added (+), removed (-) or changed (~, with the columns that changed).\n' +
    'With --json: NDJSON, one row object per line; with --diff-from, one change per line:\n' +
    '{"change":"added"|"removed","key":{…},"row":{…}} or {"change":"changed","key":{…},"columns":[…],"before":{…},"after":{…}}.',
  examples: [
    'NODE_OPTIONS="--import tsx" eventline query as-of --projections examples/blog/read-side/index.ts --table posts --position 120',
    'eventline query as-of --projections ./dist/read-side.js --table posts --time 2026-11-26T19:00:00Z --diff-from 2026-11-25',
    'eventline query as-of --projections ./dist/read-side.js --table author_stats --position 500 --json',
  ],

  async prepare({ values, positionals }) {
    const [action] = positionals as [string];
    if (action !== 'as-of') throw new UsageError(`query: unknown action ${quote(action)} (use as-of)`);
    const modulePath = requiredString(values, 'projections', 'query as-of');
    const table = requiredString(values, 'table', 'query as-of');
    const at = pointOf(values);
    const diffFromText = stringValue(values, 'diff-from');
    const from = diffFromText === undefined ? undefined : parsePoint(diffFromText, 'diff-from');
    // Loaded here, so a bad module or table never opens the store.
    const projection = owner(await loadProjections(modulePath), table, modulePath);
    return from === undefined ? asOfTask(projection, table, at) : diffTask(projection, table, from, at);
  },
};

function pointOf(values: OptionValues): AsOf {
  const position = stringValue(values, 'position');
  const time = stringValue(values, 'time');
  if (position !== undefined && time !== undefined) throw new UsageError('query as-of takes --position or --time, not both');
  if (position !== undefined) return { position: wholeNumber(position, 'position', 0) };
  if (time !== undefined) return { time: isoTime(time, 'time') };
  throw new UsageError('query as-of needs --position <n> or --time <iso>');
}

/** A position (digits only) or an ISO time. */
function parsePoint(text: string, option: string): AsOf {
  return /^[0-9]+$/.test(text) ? { position: wholeNumber(text, option, 0) } : { time: isoTime(text, option) };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

/** An ISO 8601 date, or date and time with a zone: a time without one would depend on where the command runs. */
function isoTime(text: string, option: string): Date {
  const match = ISO.exec(text);
  const bad = () => new UsageError(`--${option} must be an ISO 8601 time with a zone, e.g. 2026-11-26T19:00:00Z, or a date (got ${quote(text)})`);
  if (!match) throw bad();
  const [, year, month, day, hour = '0', minute = '0', second = '0', , offsetHour = '0', offsetMinute = '0'] = match;
  const days = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  const fits = Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= days &&
    Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59 && Number(offsetHour) <= 23 && Number(offsetMinute) <= 59;
  const time = new Date(text);
  if (!fits || Number.isNaN(time.getTime())) throw bad();
  return time;
}


function owner(projections: readonly Projection[], table: string, path: string): Projection {
  const found = projections.find((p) => p.tables.includes(table));
  if (found) return found;
  const tables = projections.flatMap((p) => p.tables).join(', ');
  throw new UsageError(`--table: no projection in ${quote(path)} owns ${quote(table)} (its tables: ${tables})`);
}

function describePoint(at: AsOf): string {
  return 'position' in at ? `position ${at.position}` : at.time.toISOString();
}

function asOfTask(projection: Projection, table: string, at: AsOf): Task {
  return async ({ store, out }) => {
    const result = await projectionAsOf(store, projection, at, { table });
    if (out.json) {
      for (const row of result.rows) await out.record(row);
      return;
    }
    await out.line(`${printable(table)} as of ${describePoint(at)}: ${countOf(result.rows.length, 'row')}, replayed from ${countOf(result.events, 'event')}`);
    await printRows(result, out);
  };
}

function diffTask(projection: Projection, table: string, from: AsOf, to: AsOf): Task {
  return async ({ store, out }) => {
    const before = await projectionAsOf(store, projection, from, { table });
    const after = await projectionAsOf(store, projection, to, { table });
    const key = after.key.length > 0 ? after.key : after.columns;
    const diff = diffRows(before.rows, after.rows, key);
    const keyOf = (row: TableRow) => Object.fromEntries(key.map((k) => [k, row[k]]));
    if (out.json) {
      for (const row of diff.added) await out.record({ change: 'added', key: keyOf(row), row });
      for (const row of diff.removed) await out.record({ change: 'removed', key: keyOf(row), row });
      for (const c of diff.changed) await out.record({ change: 'changed', key: c.key, columns: c.columns, before: c.before, after: c.after });
      return;
    }
    await printDiff(table, from, to, diff, keyOf, out);
  };
}

async function printRows(result: TableAsOf, out: Output): Promise<void> {
  const table = createTablePrinter(result.columns.map((title) => ({ title, align: 'left' as const })), out.line);
  for (const row of result.rows) await table.row(result.columns.map((c) => cell(row[c])));
  await table.end();
}

async function printDiff(table: string, from: AsOf, to: AsOf, diff: RowDiff, keyOf: (row: TableRow) => TableRow, out: Output): Promise<void> {
  const { added, removed, changed } = diff;
  await out.line(`${printable(table)} from ${describePoint(from)} to ${describePoint(to)}: ${added.length} added, ${removed.length} removed, ${changed.length} changed`);
  const keyText = (key: TableRow) => Object.values(key).map((value) => cell(value)).join(', ');
  for (const row of added) await out.line(`+ ${keyText(keyOf(row))}  ${cell(row, 200)}`);
  for (const row of removed) await out.line(`- ${keyText(keyOf(row))}  ${cell(row, 200)}`);
  for (const c of changed) {
    await out.line(`~ ${keyText(c.key)}  ${c.columns.map((col) => `${printable(col)}: ${cell(c.before[col])} → ${cell(c.after[col])}`).join('; ')}`);
  }
}

/** A value as one short line: text as it is (escaped), anything else as JSON, NULL for null. */
function cell(value: unknown, max = MAX_CELL_CHARS): string {
  const text = value === null || value === undefined ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const shown = printable(text);
  return shown.length <= max ? shown : shown.slice(0, max - 1) + '…';
}

function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
