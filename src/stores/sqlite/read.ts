// Reads. Each returns a bounded page, so a reader never holds a transaction open
// between pages and never loads the whole store.

import type { Database } from 'better-sqlite3';
import { correlationNeedle, isUnfiltered } from '../../store/event-filter.js';
import type { EventFilter, StoreStats, StoredEvent, StreamInfo, StreamPayload, StreamRange } from '../../store/storage.js';
import type { EventIds } from '../event-ids.js';
import { eventRows, nextPageFrom, payloadFromRow, STREAM_PAGE_SIZE, type EventRow, type PayloadRow, type StreamRow } from '../event-row.js';

const COLUMNS = `position, stream_id, version, event_id, type, data, metadata, recorded_at`;
const STREAM_COLUMNS = `position, version, event_id, type, data, metadata, recorded_at`;
type Row = EventRow;

const STREAM_FORWARD = `
  SELECT ${STREAM_COLUMNS} FROM events
  WHERE stream_id = ? AND version >= ? ORDER BY version LIMIT ?`;

const STREAM_BACKWARD = `
  SELECT ${STREAM_COLUMNS} FROM events
  WHERE stream_id = ? AND version <= ? ORDER BY version DESC LIMIT ?`;

const STREAM_PAYLOADS = `
  SELECT version, position, type, data, metadata FROM events
  WHERE stream_id = ? AND version >= ? ORDER BY version LIMIT ?`;

const ALL = `
  SELECT ${COLUMNS} FROM events
  WHERE position > ? ORDER BY position LIMIT ?`;

// substr and length both count characters, so the prefix matches literally
// (LIKE would treat % and _ as wildcards and ignore ASCII case). The upper bound is
// always bound (to the largest position when absent), so the scan stops there.
// Metadata is opaque text that may not be JSON: json_valid is asked first, inside a
// CASE, which SQLite evaluates in order, so json_extract never sees anything else.
// The needle (the id as a JSON string) must appear too, as in event-filter.ts.
const ALL_FILTERED = `
  SELECT ${COLUMNS} FROM events
  WHERE position > @after AND position < @before
    AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
    AND (@prefix IS NULL OR substr(stream_id, 1, length(@prefix)) = @prefix)
    AND (@recordedFrom IS NULL OR recorded_at >= @recordedFrom)
    AND (@recordedTo IS NULL OR recorded_at < @recordedTo)
    AND (@correlationId IS NULL OR (instr(metadata, @needle) > 0 AND CASE
      WHEN NOT json_valid(metadata) THEN 0
      WHEN json_type(metadata, '$.correlationId') = 'text' THEN json_extract(metadata, '$.correlationId') = @correlationId
      ELSE 0 END))
  ORDER BY position LIMIT @limit`;

const RANGE = `
  SELECT ${COLUMNS} FROM events
  WHERE position BETWEEN ? AND ? ORDER BY position`;

// Streams in id order, each found by one seek in the (stream_id, version) index for the
// next id after the last: a page costs its streams, not their events.
const STREAMS = `
  WITH RECURSIVE ids(stream_id, n) AS (
    SELECT (SELECT stream_id FROM events WHERE stream_id > @after ORDER BY stream_id LIMIT 1), 1
    UNION ALL
    SELECT (SELECT e.stream_id FROM events e WHERE e.stream_id > ids.stream_id ORDER BY e.stream_id LIMIT 1), n + 1
    FROM ids WHERE ids.stream_id IS NOT NULL AND n < @limit
  )
  SELECT stream_id AS streamId, (SELECT max(version) FROM events e WHERE e.stream_id = ids.stream_id) AS version
  FROM ids WHERE stream_id IS NOT NULL`;

const HEAD = `SELECT coalesce(max(position), 0) FROM events`;

const COUNTS = `
  SELECT (SELECT count(*) FROM events) AS events, (SELECT count(DISTINCT stream_id) FROM events) AS streams`;


export interface SqliteReads {
  readStream<T>(streamId: string, range: StreamRange, as: (event: StoredEvent) => T): T[];
  readStreamPayloads(streamId: string, fromVersion: number, limit: number): StreamPayload[];
  readAllBatch(after: number, filter: EventFilter, limit: number): StoredEvent[];
  /** The events with positions first..last, as one append just wrote them. */
  readRange(first: number, last: number): StoredEvent[];
  listStreams(after: string | undefined, limit: number): StreamInfo[];
  counts(): Omit<StoreStats, 'bytes'>;
  head(): number;
}

export function prepareReads(db: Database, ids: EventIds): SqliteReads {
  const forward = db.prepare(STREAM_FORWARD).raw();
  const backward = db.prepare(STREAM_BACKWARD).raw();
  const payloads = db.prepare(STREAM_PAYLOADS).raw();
  const all = db.prepare(ALL).raw();
  const allFiltered = db.prepare(ALL_FILTERED).raw();
  const range = db.prepare(RANGE).raw();
  // Events appended without an id are named after their positions (event-ids.ts).
  const { stored: storedFromRow, streamStored: storedFromStreamRow } = eventRows(ids.idAt);
  const streams = db.prepare(STREAMS);
  const counts = db.prepare(COUNTS);
  const head = db.prepare(HEAD).pluck();

  return {
    // Page after page, each made into events before the next is read, so the rows of a
    // long stream never all live at once. Another process's appends between two pages
    // only add versions after the last one read: the pages join into one unbroken run.
    readStream<T>(streamId: string, { fromVersion, maxCount, direction }: StreamRange, as: (event: StoredEvent) => T): T[] {
      const statement = direction === 'forward' ? forward : backward;
      const events: T[] = [];
      for (let from = fromVersion; ; ) {
        const wanted = Math.min(STREAM_PAGE_SIZE, maxCount - events.length);
        const rows = statement.all(streamId, from, wanted) as StreamRow[];
        for (const row of rows) events.push(as(storedFromStreamRow(streamId, row)));
        if (rows.length < wanted || events.length === maxCount) return events;
        from = nextPageFrom(rows[rows.length - 1]![1], direction);
      }
    },
    readStreamPayloads(streamId, fromVersion, limit) {
      return (payloads.all(streamId, fromVersion, limit) as PayloadRow[]).map(payloadFromRow);
    },
    readAllBatch(after, filter, limit) {
      const { types, streamPrefix, before, recordedFrom, recordedTo, correlationId } = filter;
      const rows = isUnfiltered(filter)
        ? all.all(after, limit)
        : allFiltered.all({
            after,
            before: before ?? Number.MAX_SAFE_INTEGER,
            types: types === undefined ? null : JSON.stringify(types),
            prefix: streamPrefix ?? null,
            recordedFrom: recordedFrom?.getTime() ?? null,
            recordedTo: recordedTo?.getTime() ?? null,
            correlationId: correlationId ?? null,
            needle: correlationId === undefined ? null : correlationNeedle(correlationId),
            limit,
          });
      return (rows as Row[]).map(storedFromRow);
    },
    readRange(first, last) {
      return (range.all(first, last) as Row[]).map(storedFromRow);
    },
    listStreams(after, limit) {
      // Every stream id is non-empty, so all of them sort after ''.
      return streams.all({ after: after ?? '', limit }) as StreamInfo[];
    },
    head() {
      return head.get() as number;
    },
    counts() {
      return counts.get() as Omit<StoreStats, 'bytes'>;
    },
  };
}
