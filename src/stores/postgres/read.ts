// Reads, each a bounded page over an index: (stream_id, version) for a stream,
// the primary key for the global log.

import type { ClientBase, Pool } from 'pg';
import type { EventFilter, StoredEvent, StreamInfo, StreamRange } from '../../store/storage.js';

const COLUMNS = `position, stream_id, version, event_id, type, data, metadata, recorded_at`;

type Row = {
  position: number;
  stream_id: string;
  version: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string | null;
  recorded_at: Date;
};

function toStored(row: Row): StoredEvent {
  return {
    position: row.position,
    streamId: row.stream_id,
    version: row.version,
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

// PostgreSQL's LIMIT is a bigint; the "no limit" sentinel is bound as NULL (LIMIT ALL).
const limitOf = (n: number) => (n >= Number.MAX_SAFE_INTEGER ? null : n);

export function prepareReads(pool: Pool, s: string) {
  const statements = {
    forward: `SELECT ${COLUMNS} FROM ${s}.events WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3`,
    backward: `SELECT ${COLUMNS} FROM ${s}.events WHERE stream_id = $1 AND version <= $2 ORDER BY version DESC LIMIT $3`,
    range: `SELECT ${COLUMNS} FROM ${s}.events WHERE position BETWEEN $1 AND $2 ORDER BY position`,
    all: `SELECT ${COLUMNS} FROM ${s}.events WHERE position > $1 ORDER BY position LIMIT $2`,
    // starts_with is a literal prefix test: % and _ mean nothing to it.
    allFiltered: `
      SELECT ${COLUMNS} FROM ${s}.events
      WHERE position > $1
        AND ($2::text[] IS NULL OR type = ANY ($2))
        AND ($3::text IS NULL OR starts_with(stream_id, $3))
      ORDER BY position LIMIT $4`,
    streams: `SELECT stream_id AS "streamId", version FROM ${s}.streams
      WHERE $1::text IS NULL OR stream_id > $1 ORDER BY stream_id LIMIT $2`,
    head: `SELECT coalesce(max(position), 0) AS head FROM ${s}.events`,
    counts: `SELECT (SELECT count(*) FROM ${s}.events) AS events, (SELECT count(*) FROM ${s}.streams) AS streams,
      (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
        WHERE c.relnamespace = '${s}'::regnamespace AND c.relkind IN ('r', 'm'))::bigint AS bytes`,
  };
  const run = async <T extends object>(key: keyof typeof statements, values: unknown[], db: Pool | ClientBase = pool) =>
    (await db.query<T>({ name: `eventline_${key}_${s}`, text: statements[key], values })).rows;

  return {
    async readStream(streamId: string, { fromVersion, maxCount, direction }: StreamRange): Promise<StoredEvent[]> {
      const rows = await run<Row>(direction, [streamId, fromVersion, limitOf(maxCount)]);
      return rows.map(toStored);
    },
    /** The events with positions first..last, read on `client` (inside its transaction). */
    async readRange(client: ClientBase, first: number, last: number): Promise<StoredEvent[]> {
      return (await run<Row>('range', [first, last], client)).map(toStored);
    },
    async readAllBatch(after: number, { types, streamPrefix }: EventFilter, limit: number): Promise<StoredEvent[]> {
      const rows =
        types === undefined && streamPrefix === undefined
          ? await run<Row>('all', [after, limit])
          : await run<Row>('allFiltered', [after, types ?? null, streamPrefix ?? null, limit]);
      return rows.map(toStored);
    },
    listStreams(after: string | undefined, limit: number): Promise<StreamInfo[]> {
      return run<StreamInfo>('streams', [after ?? null, limit]);
    },
    async headPosition(): Promise<number> {
      const [row] = await run<{ head: number }>('head', []);
      return row!.head;
    },
    async stats() {
      const [row] = await run<{ events: number; streams: number; bytes: number }>('counts', []);
      return row!;
    },
  };
}
