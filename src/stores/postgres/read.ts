// Reads, each a bounded page over an index: (stream_id, version) for a stream,
// the primary key for the global log.

import type { ClientBase, Pool } from 'pg';
import { correlationNeedle, hasCorrelationId, isUnfiltered } from '../../store/event-filter.js';
import type { EventFilter, StoredEvent, StreamInfo, StreamPayload, StreamRange } from '../../store/storage.js';
import { pagesAhead } from '../../store/read-ahead.js';
import { RECORDED_MS } from './schema.js';
import { eventRows, nextPageFrom, payloadFromRow, STREAM_PAGE_SIZE, type EventRow, type PayloadRow, type StreamRow } from '../event-row.js';
import type { EventIds } from '../event-ids.js';

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

/**
 * `logPool`'s connections may only walk an index in its order (postgres-storage.ts):
 * each read there is an ordered page over the primary key or the (stream_id, version)
 * key with filters the planner may misjudge, and must stay one whatever the statistics say.
 */
export function prepareReads(pool: Pool, logPool: Pool, s: string, ids: EventIds) {
  // Events appended without an id are named after their positions (event-ids.ts).
  const { stored: storedFromRow, streamStored: storedFromStreamRow } = eventRows(ids.idAt);
  const onLog = {
    forward: `SELECT ${STREAM_COLUMNS} FROM ${s}.events WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3`,
    backward: `SELECT ${STREAM_COLUMNS} FROM ${s}.events WHERE stream_id = $1 AND version <= $2 ORDER BY version DESC LIMIT $3`,
    payloads: `SELECT version, position, type, data, metadata FROM ${s}.events
      WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3`,
    // starts_with is a literal prefix test: % and _ mean nothing to it.
    // The upper bound is always bound (to the largest position when absent), so the scan
    // stops there. $7 is the correlation id as a JSON string: only a cheap text test
    // there, see readAllBatch.
    allFiltered: `SELECT ${COLUMNS} FROM ${s}.events
      WHERE position > $1 AND position < $5
        AND ($2::text[] IS NULL OR type = ANY ($2::text[]))
        AND ($3::text IS NULL OR starts_with(stream_id, $3::text))
        AND ($6::timestamptz IS NULL OR recorded_at >= $6::timestamptz)
        AND ($8::timestamptz IS NULL OR recorded_at < $8::timestamptz)
        AND ($7::text IS NULL OR strpos(metadata, $7::text) > 0)
      ORDER BY position LIMIT $4`,
    streams: `${streamIds(s, '$1', '$2')}
      SELECT stream_id AS "streamId", (SELECT max(version) FROM ${s}.events e WHERE e.stream_id = ids.stream_id) AS version
      FROM ids WHERE stream_id IS NOT NULL`,
    counts: `${streamIds(s, 'NULL', 'NULL')}
      SELECT (SELECT count(*) FROM ${s}.events) AS events, (SELECT count(*) FROM ids WHERE stream_id IS NOT NULL) AS streams,
      (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
        WHERE c.relnamespace = '${s}'::regnamespace AND c.relkind IN ('r', 'm'))::bigint AS bytes`,
  };
  const onPool = {
    // With no filter to misjudge, the primary key's order is always the cheapest plan; and
    // on the pool that appends, the newest events are read where they were written.
    all: `SELECT ${COLUMNS} FROM ${s}.events WHERE position > $1 ORDER BY position LIMIT $2`,
    // Inside an append's transaction, on its client: a few positions of the primary key.
    range: `SELECT ${COLUMNS} FROM ${s}.events WHERE position BETWEEN $1 AND $2 ORDER BY position`,
    head: `SELECT coalesce(max(position), 0) AS head FROM ${s}.events`,
  };
  const statements = { ...onLog, ...onPool };
  const dbFor = (key: keyof typeof statements): Pool => (key in onLog ? logPool : pool);
  const run = async <T extends object>(key: keyof typeof statements, values: unknown[]) =>
    (await dbFor(key).query<T>({ name: `eventline_${key}_${s}`, text: statements[key], values })).rows;
  const rowsOf = async <R extends unknown[] = Row>(key: keyof typeof statements, values: unknown[], db: Pool | ClientBase = dbFor(key)): Promise<R[]> =>
    (await db.query<R>({ name: `eventline_${key}_${s}`, text: statements[key], values, rowMode: 'array' })).rows;

  return {
    // A long stream comes in pages, each asked for before the rows of the one before
    // become events: the database works while this process does, and each page's rows
    // are dropped before the next arrive, rather than all living at once (which makes the
    // garbage collector copy them all). Appends to a stream commit in version order, so
    // the pages join into one unbroken run of versions.
    async readStream<T>(streamId: string, { fromVersion, maxCount, direction }: StreamRange, as: (event: StoredEvent) => T): Promise<T[]> {
      const events: T[] = [];
      let wanted = Math.min(STREAM_PAGE_SIZE, maxCount);
      const page = (from: number) => rowsOf<StreamRow>(direction, [streamId, from, wanted]);
      // Called as each page arrives, before its rows join `events`.
      const nextPage = (rows: StreamRow[]) => {
        const rest = maxCount - events.length - rows.length;
        if (rows.length < wanted || rest <= 0) return undefined;
        wanted = Math.min(STREAM_PAGE_SIZE, rest);
        return page(nextPageFrom(rows[rows.length - 1]![1], direction));
      };
      for await (const rows of pagesAhead(page(fromVersion), nextPage)) {
        for (const row of rows) events.push(as(storedFromStreamRow(streamId, row)));
      }
      return events;
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
