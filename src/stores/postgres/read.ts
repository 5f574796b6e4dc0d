// Reads, each a bounded page over an index: (stream_id, version) for a stream,
// the primary key for the global log.

import type { ClientBase, Pool } from 'pg';
import { correlationNeedle, hasCorrelationId, isUnfiltered } from '../../store/event-filter.js';
import type { EventFilter, StoredEvent, StreamInfo, StreamPayload, StreamRange } from '../../store/storage.js';
import { RECORDED_MS } from './schema.js';
import { payloadFromRow, storedFromRow, storedFromStreamRow, type EventRow, type PayloadRow, type StreamRow } from '../event-row.js';

// Rows come back as arrays (no object per row), and the time as epoch milliseconds:
// parsing a timestamptz string costs more than the rest of the row.
const COLUMNS = `position, stream_id, version, event_id, type, data, metadata, ${RECORDED_MS} AS recorded_at`;
// A stream's reader knows its id already.
const STREAM_COLUMNS = `position, version, event_id, type, data, metadata, ${RECORDED_MS} AS recorded_at`;

type Row = EventRow;


/**
 * The stream ids after `after` in id order, at most `limit` (NULL: no bound), each found
 * by one seek in the (stream_id, version) index for the next id after the last: a page
 * costs its streams, not their events.
 */
function streamIds(s: string, after: string, limit: string): string {
  const next = (than: string) => `(SELECT e.stream_id FROM ${s}.events e WHERE e.stream_id > ${than} ORDER BY e.stream_id LIMIT 1)`;
  return `WITH RECURSIVE ids(stream_id, n) AS (
      SELECT ${next(`coalesce(${after}::text, '')`)}, 1
      UNION ALL
      SELECT ${next('ids.stream_id')}, n + 1 FROM ids
      WHERE ids.stream_id IS NOT NULL AND (${limit}::bigint IS NULL OR n < ${limit}::bigint))`;
}

// PostgreSQL's LIMIT is a bigint; the "no limit" sentinel is bound as NULL (LIMIT ALL).
const limitOf = (n: number) => (n >= Number.MAX_SAFE_INTEGER ? null : n);

export function prepareReads(pool: Pool, s: string) {
  const statements = {
    // read_stream, read_stream_payloads and read_filtered (schema.ts) keep to an index's
    // order whatever the planner's statistics say.
    forward: `SELECT * FROM ${s}.read_stream($1, $2, $3)`,
    backward: `SELECT ${STREAM_COLUMNS} FROM ${s}.events WHERE stream_id = $1 AND version <= $2 ORDER BY version DESC LIMIT $3`,
    payloads: `SELECT * FROM ${s}.read_stream_payloads($1, $2, $3)`,
    range: `SELECT ${COLUMNS} FROM ${s}.events WHERE position BETWEEN $1 AND $2 ORDER BY position`,
    all: `SELECT ${COLUMNS} FROM ${s}.events WHERE position > $1 ORDER BY position LIMIT $2`,
    // starts_with is a literal prefix test: % and _ mean nothing to it.
    // The upper bound is always bound (to the largest position when absent), so the scan
    // stops there. $7 is the correlation id as a JSON string: only a cheap text test
    // there, see readAllBatch.
    allFiltered: `SELECT * FROM ${s}.read_filtered($1, $2, $3, $4, $5, $6, $7, $8)`,
    streams: `${streamIds(s, '$1', '$2')}
      SELECT stream_id AS "streamId", (SELECT max(version) FROM ${s}.events e WHERE e.stream_id = ids.stream_id) AS version
      FROM ids WHERE stream_id IS NOT NULL`,
    head: `SELECT coalesce(max(position), 0) AS head FROM ${s}.events`,
    counts: `${streamIds(s, 'NULL', 'NULL')}
      SELECT (SELECT count(*) FROM ${s}.events) AS events, (SELECT count(*) FROM ids WHERE stream_id IS NOT NULL) AS streams,
      (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
        WHERE c.relnamespace = '${s}'::regnamespace AND c.relkind IN ('r', 'm'))::bigint AS bytes`,
  };
  const run = async <T extends object>(key: keyof typeof statements, values: unknown[], db: Pool | ClientBase = pool) =>
    (await db.query<T>({ name: `eventline_${key}_${s}`, text: statements[key], values })).rows;
  const rowsOf = async <R extends unknown[] = Row>(key: keyof typeof statements, values: unknown[], db: Pool | ClientBase = pool): Promise<R[]> =>
    (await db.query<R>({ name: `eventline_${key}_${s}`, text: statements[key], values, rowMode: 'array' })).rows;

  return {
    async readStream(streamId: string, { fromVersion, maxCount, direction }: StreamRange): Promise<StoredEvent[]> {
      const rows = await rowsOf<StreamRow>(direction, [streamId, fromVersion, limitOf(maxCount)]);
      return rows.map((row) => storedFromStreamRow(streamId, row));
    },
    async readStreamPayloads(streamId: string, fromVersion: number, limit: number): Promise<StreamPayload[]> {
      return (await rowsOf<PayloadRow>('payloads', [streamId, fromVersion, limit])).map(payloadFromRow);
    },
    /** The events with positions first..last, read on `client` (inside its transaction). */
    async readRange(client: ClientBase, first: number, last: number): Promise<StoredEvent[]> {
      return (await rowsOf('range', [first, last], client)).map(storedFromRow);
    },
    async readAllBatch(after: number, filter: EventFilter, limit: number): Promise<StoredEvent[]> {
      if (isUnfiltered(filter)) return (await rowsOf('all', [after, limit])).map(storedFromRow);
      const { types, streamPrefix, before, recordedFrom, recordedTo, correlationId } = filter;
      const page = (from: number) =>
        rowsOf('allFiltered', [
          from,
          types ?? null,
          streamPrefix ?? null,
          limit,
          before ?? Number.MAX_SAFE_INTEGER,
          recordedFrom?.toISOString() ?? null,
          correlationId === undefined ? null : correlationNeedle(correlationId),
          recordedTo?.toISOString() ?? null,
        ]);
      if (correlationId === undefined) return (await page(after)).map(storedFromRow);
      // Metadata is opaque text: it may hold \u0000 (which jsonb refuses) or not be JSON at
      // all (an encrypting codec), and a cast in SQL would fail the whole query. So SQL
      // keeps the rows whose text holds the id, and the JSON is judged here, page after
      // page until `limit` events match or the log ends.
      const found: StoredEvent[] = [];
      for (let from = after; ; ) {
        const rows = await page(from);
        for (const row of rows) if (hasCorrelationId(row[6], correlationId)) found.push(storedFromRow(row));
        if (rows.length < limit || found.length >= limit) return found.slice(0, limit);
        from = rows.at(-1)![0];
      }
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
