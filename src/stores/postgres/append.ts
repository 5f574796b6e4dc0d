// An append alone is one call of an append function (migrations/007-append-event.ts):
// one round trip. One event given no id goes to append_event, everything else to
// append_events. Appends that arrive together go as one batch (append-queue.ts).

import type { ClientBase, Pool } from 'pg';
import { ConcurrencyError, DuplicateEventError, type ExpectedVersion } from '../../core/errors.js';
import { checkExpectedVersion, idempotentResult } from '../../store/append-rules.js';
import type { AppendResult, EventToStore } from '../../store/storage.js';
import { hasGivenIds, type EventIds } from '../event-ids.js';

/** What both append functions return: the stream's version, and the last position (null on a conflict). */
type ResultRow = { out_version: number; out_position: number | null };
/** append_events also names where given ids are stored already. */
export type EventsRow = ResultRow & { out_event_id: string | null; out_stream_id: string };

export type AppendOutcome = AppendResult & { wrote: boolean };

const EXPECTED_CODES = { any: -1, no_stream: -2, stream_exists: -3 } as const;

/** An expected version as the append functions take it: >= 0 exact, -1 any, -2 no_stream, -3 stream_exists. */
export function expectedCode(expectedVersion: ExpectedVersion): number {
  return typeof expectedVersion === 'number' ? expectedVersion : EXPECTED_CODES[expectedVersion];
}

/** The positions that ids of this schema name, one per event (null for the rest), or null when no event has an id. */
export function namedPositions(ids: EventIds, events: readonly EventToStore[]): (number | null)[] | null {
  return hasGivenIds(events) ? events.map((e) => (e.eventId === undefined ? null : (ids.positionOf(e.eventId) ?? null))) : null;
}

/** What append_events' rows for one append mean: an idempotent retry, a conflict, or the append written. */
export function outcomeOf(streamId: string, events: readonly EventToStore[], expectedVersion: ExpectedVersion, rows: readonly EventsRow[]): AppendOutcome {
  const existing = rows.filter((r) => r.out_event_id !== null);
  if (existing.length > 0) {
    const stored = existing.map((r) => ({ eventId: r.out_event_id!, streamId: r.out_stream_id, version: r.out_version, position: r.out_position! }));
    return { ...idempotentResult(streamId, events, stored)!, wrote: false };
  }
  return written(streamId, expectedVersion, rows[0]!, 'append_events');
}

export function prepareAppend(s: string, ids: EventIds) {
  const text = `SELECT * FROM ${s}.append_events($1, $2, $3, $4, $5, $6, $7, $8)`;
  const name = `eventline_append_${s}`;
  const oneText = `SELECT * FROM ${s}.append_event($1, $2, $3, $4, $5)`;
  const oneName = `eventline_append_one_${s}`;

  async function appendOne(db: Pool | ClientBase, streamId: string, event: EventToStore, expectedVersion: ExpectedVersion, expected: number) {
    let row: ResultRow;
    try {
      const { rows } = await db.query<ResultRow>({ name: oneName, text: oneText, values: [streamId, expected, event.type, event.data, event.metadata ?? null] });
      row = rows[0]!;
    } catch (error) {
      throw await translateUniqueViolation(error, db, s, streamId, expectedVersion);
    }
    return written(streamId, expectedVersion, row, 'append_event');
  }

  return async function append(
    db: Pool | ClientBase,
    streamId: string,
    events: readonly EventToStore[],
    expectedVersion: ExpectedVersion,
  ): Promise<AppendOutcome> {
    const expected = expectedCode(expectedVersion);
    if (events.length === 1 && events[0]!.eventId === undefined) return appendOne(db, streamId, events[0]!, expectedVersion, expected);
    const named = namedPositions(ids, events);
    let rows: EventsRow[];
    try {
      ({ rows } = await db.query<EventsRow>({
        name,
        text,
        values: [
          streamId,
          expected,
          // Events given no id are named after their positions when read.
          events.map((e) => e.eventId ?? null),
          events.map((e) => e.type),
          events.map((e) => e.data),
          events.map((e) => e.metadata),
          named !== null,
          named,
        ],
      }));
    } catch (error) {
      throw await translateUniqueViolation(error, db, s, streamId, expectedVersion);
    }
    return outcomeOf(streamId, events, expectedVersion, rows);
  };
}

/** The result of an append function's row: a null position is a version conflict. */
function written(streamId: string, expectedVersion: ExpectedVersion, row: ResultRow, fn: string): AppendOutcome {
  if (row.out_position === null) {
    checkExpectedVersion(streamId, expectedVersion, row.out_version);
    // Cannot happen: the append function and checkExpectedVersion apply the same rules.
    throw new Error(`${fn} refused an append that the version rules accept (stream '${streamId}')`);
  }
  return { nextExpectedVersion: row.out_version, lastPosition: row.out_position, wrote: true };
}

// The append lock makes these races impossible through Eventline; a writer that
// bypasses it still gets the contract's errors, with the real values, rather than a
// driver error.
export async function translateUniqueViolation(
  error: unknown,
  db: Pool | ClientBase,
  s: string,
  streamId: string,
  expected: ExpectedVersion,
): Promise<unknown> {
  const e = error as { code?: string; constraint?: string; detail?: string };
  if (e.code !== '23505') return error;
  if (e.constraint === 'events_event_id') {
    const eventId = /\(event_id\)=\(([^)]+)\)/.exec(e.detail ?? '')?.[1] ?? 'of this append';
    return new DuplicateEventError(eventId, 'is already stored', { cause: error });
  }
  if (e.constraint === 'events_stream_version') {
    // Inside a caller's transaction the failed statement has aborted it: no read is possible there.
    const actual = await db
      .query<{ version: number }>(`SELECT max(version) AS version FROM ${s}.events WHERE stream_id = $1`, [streamId])
      .then(({ rows }) => rows[0]?.version ?? 0, () => undefined);
    return actual === undefined ? error : new ConcurrencyError(streamId, expected, actual, { cause: error });
  }
  return error;
}
