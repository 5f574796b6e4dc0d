// What was true at an earlier point: the events are all still there, so any past
// state can be computed again. A stream's state is its events folded up to that
// point; a read model's rows are its projection replayed over the events up to that
// point, into a scratch database the store gives (an in-memory SQLite database on
// every Eventline store), so the live tables are never touched. Two such answers compared give what changed in between.

import type { StateFolder } from '../commands/load-state.js';
import { ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { assertCount, assertName, assertPlainObject, describe } from '../core/validation.js';
import type { Projection } from '../projections/projection.js';
import { tablesOf } from '../projections/tables.js';
import type { EventStore } from '../store/event-store.js';
import type { ReadModelDb } from '../store/read-models.js';

/** A point in the log: after the event at `position`, or after every event recorded up to `time` (inclusive). */
export type AsOf = { position: number } | { time: Date };

export type TableRow = Record<string, unknown>;

export interface TableAsOf {
  table: string;
  /** The table's columns, in the order its setup declared them. */
  columns: string[];
  /** The columns of its primary key (empty when it has none); rows are ordered by them. */
  key: string[];
  rows: TableRow[];
  /** How many events the replay applied, and the position of the last (0 when none). */
  events: number;
  position: number;
}

export interface ProjectionAsOfOptions {
  /** One of the projection's tables. Default: its first. */
  table?: string;
}

/** The bounds of readAll that stop at `at`. */
export function asOfBounds(at: AsOf): { before?: number; recordedTo?: Date } {
  assertPlainObject(at, 'at');
  const hasPosition = 'position' in at;
  const hasTime = 'time' in at;
  if (hasPosition === hasTime) throw new ValidationError('at', 'must give either a position or a time');
  if (hasPosition) {
    assertCount(at.position, 'position', 0);
    return { before: at.position + 1 };
  }
  const { time } = at as { time: unknown };
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) throw new ValidationError('time', `must be a valid Date, got ${describe(time)}`);
  // Inclusive: "as of 12:00" keeps what was recorded at 12:00:00.000.
  return { recordedTo: new Date(time.getTime() + 1) };
}

/**
 * A stream's state as of a point: its events up to there, folded.
 *
 * @example
 * const { state } = await stateAsOf(store, 'post-hello', postDecider, { time: new Date('2026-11-01T00:00:00Z') });
 */
export async function stateAsOf<State>(
  store: EventStore,
  streamId: string,
  folder: StateFolder<State>,
  at: AsOf,
): Promise<{ state: State; version: number; position: number }> {
  const { before, recordedTo } = asOfBounds(at);
  let state = folder.initialState();
  let version = 0;
  let position = 0;
  for (let fromVersion = 1; ; fromVersion += 500) {
    const page = await store.readStream(streamId, { fromVersion, maxCount: 500 });
    for (const event of page) {
      if (before !== undefined && event.position >= before) return { state, version, position };
      if (recordedTo !== undefined && event.recordedAt.getTime() >= recordedTo.getTime()) continue;
      state = folder.evolve(state, event);
      version = event.version;
      position = event.position;
    }
    if (page.length < 500) return { state, version, position };
  }
}

const REPLAY_BATCH = 1000;

/**
 * The rows of one of a projection's tables as of a point, computed by replaying the
 * projection over the events up to there in the store's scratch database (see
 * EventStore.scratchReadModels).
 *
 * @example
 * const { rows } = await projectionAsOf(store, postsProjection, { position: 120 });
 */
export async function projectionAsOf(store: EventStore, projection: Projection, at: AsOf, options: ProjectionAsOfOptions = {}): Promise<TableAsOf> {
  const bounds = asOfBounds(at);
  const table = options.table ?? projection.tables[0]!;
  assertName(table, 'table');
  if (!projection.tables.includes(table)) {
    throw new ValidationError('table', `projection ${projection.name} has no table ${JSON.stringify(table)} (it has ${projection.tables.join(', ')})`);
  }
  const readModels = store.scratchReadModels();
  try {
    const tables = tablesOf(projection, readModels, 0);
    await readModels.transaction(tables, (db) => projection.setup(db));
    const apply = (events: readonly RecordedEvent[]) =>
      readModels.transaction(tables, async (db) => {
        for (const event of events) await projection.handle(event, db);
      });

    let batch: RecordedEvent[] = [];
    let events = 0;
    let position = 0;
    for await (const event of store.readAll({ types: projection.eventTypes, ...bounds, batchSize: REPLAY_BATCH })) {
      batch.push(event);
      events++;
      position = event.position;
      if (batch.length === REPLAY_BATCH) {
        await apply(batch);
        batch = [];
      }
    }
    await apply(batch);
    return { table, events, position, ...(await readModels.transaction(tables, (db) => readTable(db, table))) };
  } finally {
    readModels.close();
  }
}

// The scratch database is SQLite (storage.ts), so its catalogue tells the columns and key.
const COLUMNS = `SELECT name, pk FROM pragma_table_info($1) ORDER BY cid`;

async function readTable(db: ReadModelDb, table: string): Promise<Pick<TableAsOf, 'columns' | 'key' | 'rows'>> {
  const info = await db.all<{ name: string; pk: number }>(COLUMNS, [table]);
  const columns = info.map((c) => c.name);
  const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  const order = (key.length > 0 ? key : columns).map(quoteColumn).join(', ');
  const rows = await db.all<TableRow>(`SELECT * FROM {${table}} ORDER BY ${order}`);
  return { columns, key, rows };
}

function quoteColumn(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface RowChange {
  /** The key columns and their values. */
  key: TableRow;
  /** The columns whose values differ. */
  columns: string[];
  before: TableRow;
  after: TableRow;
}

export interface RowDiff {
  added: TableRow[];
  removed: TableRow[];
  changed: RowChange[];
}

/**
 * What changed from `before` to `after`, rows matched by their `key` columns: rows
 * only in `after` were added, rows only in `before` removed, and rows in both with
 * any other value different changed.
 *
 * @example
 * diffRows(then.rows, now.rows, 'post_id'); // { added: [...], removed: [], changed: [{ key: { post_id: 'hello' }, columns: ['status'], … }] }
 */
export function diffRows(before: readonly TableRow[], after: readonly TableRow[], key: string | readonly string[]): RowDiff {
  if (typeof key !== 'string' && !Array.isArray(key)) throw new ValidationError('key', `must be a column name or a list of them, got ${describe(key)}`);
  const keys: string[] = typeof key === 'string' ? [key] : [...key];
  if (keys.length === 0) throw new ValidationError('key', 'must name at least one column');
  keys.forEach((k, i) => assertName(k, typeof key === 'string' ? 'key' : `key[${i}]`));
  const identify = (row: TableRow, side: string) => {
    for (const k of keys) if (!(k in row)) throw new ValidationError('key', `column ${k} is missing from a row of ${side}`);
    return JSON.stringify(keys.map((k) => row[k]));
  };
  const index = (rows: readonly TableRow[], side: string) => {
    const byKey = new Map<string, TableRow>();
    for (const row of rows) {
      const id = identify(row, side);
      if (byKey.has(id)) throw new ValidationError('key', `${keys.join(', ')} is not unique in ${side}: ${id}`);
      byKey.set(id, row);
    }
    return byKey;
  };
  const old = index(before, 'before');
  const now = index(after, 'after');
  const diff: RowDiff = { added: [], removed: [], changed: [] };
  for (const [id, row] of now) {
    const was = old.get(id);
    if (was === undefined) {
      diff.added.push(row);
      continue;
    }
    const columns = [...new Set([...Object.keys(was), ...Object.keys(row)])].filter((c) => !sameValue(was[c], row[c]));
    if (columns.length > 0) diff.changed.push({ key: Object.fromEntries(keys.map((k) => [k, row[k]])), columns, before: was, after: row });
  }
  for (const [id, row] of old) if (!now.has(id)) diff.removed.push(row);
  return diff;
}

/** SQL gives back primitives; a driver may give a Date or a Buffer, compared by content. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null;
  return isObject(a) && isObject(b) && JSON.stringify(a) === JSON.stringify(b);
}
