// Appends that arrive while another is on its way to the server wait for it, then go
// together as one call of append_batch (migrations/008-append-batch.ts): one
// transaction, one turn of the append lock and one flush of the log serve them all,
// where appends sent one by one would take a turn and a flush each (docs/ordering.md).
// An append that finds nothing on its way goes at once, alone: a lone writer waits for
// nothing.

import type { Pool } from 'pg';
import type { ExpectedVersion } from '../../core/errors.js';
import type { AppendResult, EventToStore } from '../../store/storage.js';
import type { EventIds } from '../event-ids.js';
import { expectedCode, namedPositions, outcomeOf, type AppendOutcome, type EventsRow } from './append.js';

type AppendAlone = (db: Pool, streamId: string, events: readonly EventToStore[], expectedVersion: ExpectedVersion) => Promise<AppendOutcome>;

interface Waiting {
  streamId: string;
  events: readonly EventToStore[];
  expectedVersion: ExpectedVersion;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** A batch carries up to this many events; a larger append goes alone. */
const BATCH_EVENTS = 1000;

/**
 * SQLSTATE classes of an error raised while the batch ran, which rolled it back: bad data
 * (22), a constraint (23), a deadlock or serialization failure (40), a missing object
 * (42), a limit (54), a raise in a function (P0). Each append of such a batch is tried
 * again alone, so one bad append fails by itself. Any other failure (the connection
 * lost, the server shutting down) may have come after the commit: every append of the
 * batch gets it, as an append alone would.
 */
const ROLLED_BACK = new Set(['22', '23', '40', '42', '54', 'P0']);

function rolledBack(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && ROLLED_BACK.has(code.slice(0, 2));
}

export function queueAppends(pool: Pool, s: string, ids: EventIds, alone: AppendAlone) {
  const text = `SELECT * FROM ${s}.append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9)`;
  const name = `eventline_append_batch_${s}`;
  let waiting: Waiting[] = [];
  let busy = false;

  async function sendAlone({ streamId, events, expectedVersion, resolve, reject }: Waiting): Promise<void> {
    try {
      const { nextExpectedVersion, lastPosition } = await alone(pool, streamId, events, expectedVersion);
      resolve({ nextExpectedVersion, lastPosition });
    } catch (error) {
      reject(error);
    }
  }

  async function sendBatch(batch: readonly Waiting[]): Promise<void> {
    const events = batch.flatMap((w) => w.events);
    // Per append: the positions its ids of this schema name, or null when it gives no ids (then none is looked up).
    const namedPerAppend = batch.map((w) => namedPositions(ids, w.events));
    let end = 0;
    let rows: (EventsRow & { out_append: number })[];
    try {
      ({ rows } = await pool.query<EventsRow & { out_append: number }>({
        name,
        text,
        values: [
          batch.map((w) => w.streamId),
          batch.map((w) => expectedCode(w.expectedVersion)),
          batch.map((w) => (end += w.events.length)),
          namedPerAppend.map((named) => named !== null),
          events.map((e) => e.eventId ?? null),
          events.map((e) => e.type),
          events.map((e) => e.data),
          events.map((e) => e.metadata ?? null),
          batch.flatMap((w, i) => namedPerAppend[i] ?? w.events.map(() => null)),
        ],
      }));
    } catch (error) {
      if (!rolledBack(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // Nothing of the batch is stored: each append again, alone, in the order they came.
      for (const w of batch) await sendAlone(w);
      return;
    }
    const answers: EventsRow[][] = batch.map(() => []);
    for (const row of rows) answers[row.out_append - 1]!.push(row);
    batch.forEach((w, i) => {
      try {
        const { nextExpectedVersion, lastPosition } = outcomeOf(w.streamId, w.events, w.expectedVersion, answers[i]!);
        w.resolve({ nextExpectedVersion, lastPosition });
      } catch (error) {
        w.reject(error);
      }
    });
  }

  /** The appends waiting longest, up to BATCH_EVENTS events (at least one append). */
  function takeBatch(): Waiting[] {
    let count = waiting[0]!.events.length;
    let taken = 1;
    while (taken < waiting.length && count + waiting[taken]!.events.length <= BATCH_EVENTS) count += waiting[taken++]!.events.length;
    const batch = waiting.slice(0, taken);
    waiting = waiting.slice(taken);
    return batch;
  }

  /** One batch at a time: while it is on its way, the next one gathers. */
  function sendNext(): void {
    if (waiting.length === 0) {
      busy = false;
      return;
    }
    busy = true;
    const batch = takeBatch();
    void (batch.length === 1 ? sendAlone(batch[0]!) : sendBatch(batch))
      .catch((error: unknown) => batch.forEach((w) => w.reject(error)))
      .then(sendNext);
  }

  return function append(streamId: string, events: readonly EventToStore[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      waiting.push({ streamId, events, expectedVersion, resolve, reject });
      if (!busy) sendNext();
    });
  };
}
