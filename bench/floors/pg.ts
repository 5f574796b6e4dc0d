// The PostgreSQL floor on node-postgres: one statement per append (its own
// transaction, one round trip) that checks the expected version itself, a unique
// (stream, version) key to settle races, named prepared statements, keyset-paged reads.
// `openSameColumns` is W4's same-columns floor: the same appends into a table of
// Eventline's shape, and a stream read that makes each row the event a store of ours
// returns (id, stream, version, position, type, data, metadata, time).

import pg from 'pg';
import { conflict, type BenchStore, type OpenStore, type Scratch, type VersionedEvent } from '../workloads/adapter.js';
import { PAGE_SIZE } from '../workloads/sizes.js';
import { floorSql } from './sql.js';

const INT8 = 20;

/** A row of the same-columns floor's stream read: version, position, event_id, type, data, metadata, time (ms). */
type RecordedRow = [number, number, string | null, string, string, string | null, number];

/** What a store of ours makes of a row: an event named after its position when it was given no id. */
function recordedEvent(streamId: string, [version, position, eventId, type, data, metadata, ms]: RecordedRow) {
  return {
    id: eventId ?? String(position),
    streamId,
    version,
    position,
    type,
    data: JSON.parse(data) as unknown,
    metadata: metadata === null ? undefined : (JSON.parse(metadata) as unknown),
    time: new Date(ms),
  };
}

export const open: OpenStore = (scratch) => openPg(scratch, false);
export const openSameColumns: OpenStore = (scratch) => openPg(scratch, true);

async function openPg(scratch: Scratch, sameColumns: boolean): Promise<BenchStore> {
  const sql = floorSql(`"${scratch.name}"`, sameColumns);
  const pool = new pg.Pool({
    connectionString: scratch.postgresUrl,
    max: 10,
    // Versions and positions as plain numbers, not strings.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  await pool.query(sql.schema);

  // Keyset paging by the (stream, version) key, data parsed as it arrives.
  async function readStream(streamId: string): Promise<VersionedEvent[]> {
    const events: VersionedEvent[] = [];
    let after = 0;
    while (true) {
      const { rows } = await pool.query<unknown[]>({ name: 'floor_read_stream', text: sql.readStream, values: [streamId, after, PAGE_SIZE], rowMode: 'array' });
      if (sameColumns) for (const row of rows as RecordedRow[]) events.push(recordedEvent(streamId, row));
      else for (const [version, type, data] of rows as [number, string, string][]) events.push({ version, type, data: JSON.parse(data) });
      if (rows.length < PAGE_SIZE) return events;
      after = (rows[rows.length - 1] as number[])[0]!;
    }
  }

  return {
    async append(streamId, events, expected) {
      try {
        const { rowCount } =
          events.length === 1
            ? await pool.query({ name: 'floor_append_one', text: sql.appendOne, values: [streamId, expected, events[0]!.type, JSON.stringify(events[0]!.data)] })
            : await pool.query({
                name: 'floor_append_many',
                text: sql.appendMany,
                values: [streamId, expected, events.map((e) => e.type), events.map((e) => JSON.stringify(e.data))],
              });
        return rowCount === events.length ? { ok: true, nextVersion: expected + events.length } : conflict();
      } catch (error) {
        if ((error as { code?: string }).code === '23505') return conflict();
        throw error;
      }
    },

    readStream: (streamId) => readStream(streamId),
    versionedStream: (streamId) => readStream(streamId),

    async currentVersion(streamId) {
      const { rows } = await pool.query<[number]>({ name: 'floor_current', text: sql.currentVersion, values: [streamId], rowMode: 'array' });
      return rows[0]![0];
    },

    async readAll(visit) {
      let after = 0;
      while (true) {
        const { rows } = await pool.query<[number, string, number, string, string]>({ name: 'floor_read_all', text: sql.readAll, values: [after, PAGE_SIZE], rowMode: 'array' });
        for (const [position, streamId, version, type, data] of rows) visit({ position, streamId, version, type, data: JSON.parse(data) });
        if (rows.length < PAGE_SIZE) return;
        after = rows[rows.length - 1]![0];
      }
    },

    close: () => pool.end(),
  };
}
