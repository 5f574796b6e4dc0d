// Whether PostgreSQL would gain from naming events after their positions, as the memory
// and SQLite stores do (docs/architecture.md): raw node-postgres, two tables with our
// events table's columns that differ only in the event id.
//   stored: every event has a UUIDv7 in a unique index (the PostgreSQL store before schema 6)
//   named:  events given no id store NULL, and only ids callers chose are indexed (since)
// Each round appends 2,000 single events (W1's shape) and 200 appends of 100 (W3's), then
// reads the table in pages of 1,000 (W6's shape), table after table.
// Usage: EVENTLINE_POSTGRES_URL=postgres://… npx tsx bench/probes/postgres-event-id.ts [rounds]

import pg from 'pg';
import { uuidv7 } from '../../src/core/uuid.js';
import { postEvents } from '../events.js';
import { median } from '../stats.js';
import { roundsArgument } from './rounds.js';

const SINGLES = 2_000;
const BATCHES = 200;
const BATCH = 100;
const PAGE = 1_000;

const url = process.env.EVENTLINE_POSTGRES_URL;
if (!url) {
  console.error('probe: set EVENTLINE_POSTGRES_URL to a PostgreSQL server');
  process.exit(2);
}
const rounds = roundsArgument(process.argv[2], 5);
const schema = `eventline_probe_${process.pid}`;

const table = (name: string, eventId: string) => `CREATE TABLE ${schema}.${name} (
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream_id text COLLATE "C" NOT NULL,
  version bigint NOT NULL, event_id uuid ${eventId}, type text COLLATE "C" NOT NULL, data text NOT NULL,
  metadata text, recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, version))`;

const variants = [
  { label: 'stored', schema: table('stored', 'NOT NULL UNIQUE'), id: () => uuidv7() as string | null },
  {
    label: 'named',
    schema: `${table('named', '')}; CREATE UNIQUE INDEX named_event_id ON ${schema}.named (event_id) WHERE event_id IS NOT NULL`,
    id: () => null,
  },
];

const pool = new pg.Pool({ connectionString: url, max: 2 });
type Figures = { singles: number[]; batches: number[]; reads: number[] };
const results = new Map<string, Figures>(variants.map((v) => [v.label, { singles: [], batches: [], reads: [] }]));

async function measure(variant: (typeof variants)[number], round: number): Promise<void> {
  const insert = `INSERT INTO ${schema}.${variant.label} (stream_id, version, event_id, type, data, metadata)
    SELECT $1, u.ord, u.id, u.type, u.data, u.metadata
    FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(id, type, data, metadata, ord) ORDER BY u.ord`;
  const append = (streamId: string, count: number) => {
    const events = postEvents(streamId, 1, count);
    return pool.query({
      name: `insert_${variant.label}`,
      text: insert,
      values: [streamId, events.map(variant.id), events.map((e) => e.type), events.map((e) => JSON.stringify(e.data)), events.map(() => null)],
    });
  };
  const figures = results.get(variant.label)!;
  let started = performance.now();
  for (let i = 0; i < SINGLES; i++) await append(`single-${round}-${i}`, 1);
  figures.singles.push((SINGLES / (performance.now() - started)) * 1000);
  started = performance.now();
  for (let i = 0; i < BATCHES; i++) await append(`batch-${round}-${i}`, BATCH);
  figures.batches.push(((BATCHES * BATCH) / (performance.now() - started)) * 1000);

  const select = `SELECT position, version, event_id, type, data, metadata, floor(date_part('epoch', recorded_at) * 1000)::bigint
    FROM ${schema}.${variant.label} WHERE position > $1 ORDER BY position LIMIT $2`;
  let read = 0;
  started = performance.now();
  for (let after = 0; ; ) {
    const { rows } = await pool.query<unknown[]>({ name: `read_${variant.label}`, text: select, values: [after, PAGE], rowMode: 'array' });
    for (const row of rows) JSON.parse(row[4] as string);
    read += rows.length;
    if (rows.length < PAGE) break;
    after = Number(rows[rows.length - 1]![0]);
  }
  figures.reads.push((read / (performance.now() - started)) * 1000);
}

try {
  await pool.query(`CREATE SCHEMA ${schema}`);
  for (const variant of variants) await pool.query(variant.schema);
  for (let round = 0; round < rounds; round++) {
    // Alternate which table goes first: each sees the same disk and load.
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) await measure(variant, round);
  }
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
}

const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
console.log(`median of ${rounds} rounds; events/s`);
console.log(`${'table'.padEnd(8)} ${'W1 appends'.padStart(11)} ${'W3 appends'.padStart(11)} ${'W6 reads'.padStart(9)}`);
for (const [label, { singles, batches, reads }] of results) {
  console.log(`${label.padEnd(8)} ${k(median(singles)).padStart(11)} ${k(median(batches)).padStart(11)} ${k(median(reads)).padStart(9)}`);
}
