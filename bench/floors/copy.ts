// The C1 floor: a copy from an Eventline SQLite file into Eventline's PostgreSQL events
// table written by hand with the drivers: keyset pages of the source by position
// (better-sqlite3), each page one INSERT of unnest arrays (pg, its own transaction),
// every event with its id (a stored one, or the one the source names it by), version,
// time, data and metadata. No position map, no check of what the target holds, no
// verification: what a copy costs at the least.

import Database from 'better-sqlite3';
import pg from 'pg';
import { openEventStore } from '../../src/index.js';
import { eventIdsOf } from '../../src/stores/event-ids.js';
import { benchStoreOf } from '../stores/eventline.js';
import { storeUrl } from '../stores/urls.js';
import type { CopyOutcome, OpenStore } from '../workloads/adapter.js';

/** Events per page: copyStore's default batch. */
const PAGE = 1_000;

/** position, stream_id, version, event_id, type, data, metadata, recorded_at (epoch ms). */
type Row = [number, string, number, string | null, string, string, string | null, number];

export const openPostgres: OpenStore = async (scratch) => ({
  ...benchStoreOf(await openEventStore(storeUrl('postgres', scratch))),
  copyFromSqlite: (sourcePath) => copyByHand(sourcePath, scratch.postgresUrl, `"${scratch.name}"`),
});

async function copyByHand(sourcePath: string, postgresUrl: string, s: string): Promise<CopyOutcome> {
  const source = new Database(sourcePath, { readonly: true });
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const ids = eventIdsOf(source.prepare('SELECT tag FROM event_id_tag').pluck().get() as string);
    const page = source.prepare<[number, number], Row>('SELECT position, stream_id, version, event_id, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT ?').raw();
    const insert = `
      INSERT INTO ${s}.events (stream_id, version, event_id, type, data, metadata, recorded_at)
      SELECT u.stream_id, u.version, u.event_id, u.type, u.data, u.metadata, timestamptz 'epoch' + u.ms * interval '1 millisecond'
      FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[])
        WITH ORDINALITY AS u(stream_id, version, event_id, type, data, metadata, ms, i)
      ORDER BY u.i`;
    const started = performance.now();
    let copied = 0;
    for (let after = 0; ; ) {
      const rows = page.all(after, PAGE);
      if (rows.length === 0) break;
      await client.query({
        name: 'floor_copy',
        text: insert,
        values: [
          rows.map((r) => r[1]),
          rows.map((r) => r[2]),
          rows.map((r) => r[3] ?? ids.idAt(r[0])),
          rows.map((r) => r[4]),
          rows.map((r) => r[5]),
          rows.map((r) => r[6]),
          rows.map((r) => r[7]),
        ],
      });
      copied += rows.length;
      after = rows[rows.length - 1]![0];
    }
    return { copied, ms: performance.now() - started };
  } finally {
    source.close();
    await client.end();
  }
}
