// What the unique index on event ids costs a single-event append on SQLite, apart from
// everything else Eventline does: raw better-sqlite3, one IMMEDIATE transaction per
// row, WAL + synchronous=NORMAL as our store runs, in three tables that differ only there.
//   narrow:        the floor's columns (position, stream, version, type, data)
//   wide:          plus event_id, metadata and recorded_at, as our events table
//   wide + unique: plus UNIQUE (event_id), which idempotent retries and DuplicateEventError need
// It is why Eventline's SQLite store names the events it is given without an id after
// their positions and indexes only the ids callers chose (docs/architecture.md).
// Usage: npx tsx bench/probes/event-id-index.ts [rounds]

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '../../src/core/uuid.js';
import { postEvent } from '../events.js';
import { SCHEMA as NARROW } from '../floors/better-sqlite3.js';
import { median } from '../stats.js';
import { roundsArgument } from './rounds.js';

const WARM_UP = 2_000;
const APPENDS = 10_000;

const WIDE = `CREATE TABLE events (
  position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, version INTEGER NOT NULL, event_id TEXT NOT NULL,
  type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT, recorded_at INTEGER NOT NULL, UNIQUE (stream_id, version))`;
const WIDE_UNIQUE = WIDE.replace('event_id TEXT NOT NULL', 'event_id TEXT NOT NULL UNIQUE');

const INSERT_NARROW = 'INSERT INTO events (stream_id, version, type, data) VALUES (?, 1, ?, ?)';
const INSERT_WIDE = `INSERT INTO events (stream_id, version, event_id, type, data, metadata, recorded_at)
  VALUES (?, 1, ?, ?, ?, NULL, ?)`;

interface Table {
  label: string;
  schema: string;
  insert: string;
  values: (streamId: string, data: string) => unknown[];
}

const tables: Table[] = [
  { label: 'narrow', schema: NARROW, insert: INSERT_NARROW, values: (s, d) => [s, 'PostWasCreated', d] },
  { label: 'wide', schema: WIDE, insert: INSERT_WIDE, values: (s, d) => [s, uuidv7(), 'PostWasCreated', d, Date.now()] },
  { label: 'wide + unique', schema: WIDE_UNIQUE, insert: INSERT_WIDE, values: (s, d) => [s, uuidv7(), 'PostWasCreated', d, Date.now()] },
];

/** Appends per second: W1's shape, one event to a new stream per transaction. */
function measure(table: Table, folder: string): number {
  const db = new Database(join(folder, `${table.label.replace(/\W+/g, '-')}.db`));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(table.schema);
    const insert = db.prepare(table.insert);
    const append = db.transaction((i: number) => {
      const streamId = `post-${i}`;
      insert.run(...table.values(streamId, JSON.stringify(postEvent(streamId, 1).data)));
    });
    for (let i = 0; i < WARM_UP; i++) append.immediate(i);
    const started = performance.now();
    for (let i = WARM_UP; i < WARM_UP + APPENDS; i++) append.immediate(i);
    return (APPENDS / (performance.now() - started)) * 1000;
  } finally {
    db.close();
  }
}

const rounds = roundsArgument(process.argv[2], 5);
const results = new Map(tables.map((t) => [t.label, [] as number[]]));
for (let round = 0; round < rounds; round++) {
  // A fresh folder per round, tables in turn: each sees the same disk and load.
  const folder = mkdtempSync(join(tmpdir(), 'eventline-probe-'));
  try {
    for (const table of tables) results.get(table.label)!.push(measure(table, folder));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
const narrow = median(results.get('narrow')!);
console.log(`appends/s, median of ${rounds} rounds of ${APPENDS}, and the ratio to the narrow table`);
for (const [label, values] of results) {
  const m = median(values);
  console.log(`${label.padEnd(14)} ${Math.round(m).toString().padStart(7)}  ${(m / narrow).toFixed(2)}x`);
}
