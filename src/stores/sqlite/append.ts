// One append is one IMMEDIATE transaction: it takes the write lock first, so the
// version it checks cannot change before it writes.

import type { Database } from 'better-sqlite3';
import type { ExpectedVersion } from '../../core/errors.js';
import { checkExpectedVersion, idempotentResult } from '../../store/append-rules.js';
import type { AppendResult, EventToStore, StoredEventId } from '../../store/storage.js';
import { findGivenIds, idToStore, type EventIds } from '../event-ids.js';

// Where an id a caller chose is stored, if it is, or was before a prune (schema 7).
const FIND_EVENT = `
  SELECT event_id AS eventId, stream_id AS streamId, version, position
  FROM events WHERE event_id = @id
  UNION ALL
  SELECT event_id, stream_id, version, position FROM pruned_events WHERE event_id = @id`;

// Where an id this file generated is stored: at its position, with no id of its own.
const FIND_GENERATED = `
  SELECT stream_id AS streamId, version, position
  FROM events WHERE position = @id AND event_id IS NULL
  UNION ALL
  SELECT stream_id, version, position FROM pruned_events WHERE position = @id AND event_id IS NULL`;

// A caller may name an event with an id of this file that names a position not yet
// handed out (say, replaying events into a restored backup). The events given no id up
// to that position then get an id of their own, so the file never gives the same id
// twice; positions stay as they are, whatever position the id names.
const NAME_AHEAD = `UPDATE event_id_tag SET named_ahead = ? WHERE id = 1`;
const NEXT_POSITION = `SELECT max(coalesce((SELECT max(position) FROM events), 0), (SELECT position FROM positions_used WHERE id = 1)) + 1`;

// The (stream_id, version) index answers the version from its last entry; the position
// named ahead comes along, one statement for both. A stream whose events were all
// pruned keeps its version in pruned_events (looked at only then: coalesce stops at
// the first value that is not NULL).
const STREAM_VERSION = `
  SELECT coalesce((SELECT max(version) FROM events WHERE stream_id = @id),
                  (SELECT max(version) FROM pruned_events WHERE stream_id = @id), 0),
         (SELECT named_ahead FROM event_id_tag WHERE id = 1)`;

// Each event's position follows both the largest one stored and the largest one ever
// deleted (schema.ts, migration 4): never one handed out before.
const INSERT_EVENT = `
  INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, recorded_at)
  VALUES (
    max(coalesce((SELECT max(position) FROM events), 0), (SELECT position FROM positions_used WHERE id = 1)) + 1,
    ?, ?, ?, ?, ?, ?, ?)`;

// The events after the first of an append take the positions right after it: the
// append holds the write lock, so no one else can take them.
const INSERT_NEXT_EVENT = `
  INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, recorded_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** The append's result, and whether it wrote (false for an idempotent retry). */
export type AppendInTransaction = (
  streamId: string,
  events: readonly EventToStore[],
  expectedVersion: ExpectedVersion,
) => AppendResult & { wrote: boolean };

/** Returns the statements of an append, prepared once. Call it inside a write transaction. */
export function prepareAppend(db: Database, ids: EventIds): AppendInTransaction {
  const findEvent = db.prepare<[{ id: string }], StoredEventId>(FIND_EVENT);
  const findGenerated = db.prepare<[{ id: number }], Omit<StoredEventId, 'eventId'>>(FIND_GENERATED);
  const nameAhead = db.prepare(NAME_AHEAD);
  const nextPosition = db.prepare(NEXT_POSITION).pluck();
  const streamVersion = db.prepare<[{ id: string }], [number, number]>(STREAM_VERSION).raw();
  const insertEvent = db.prepare(INSERT_EVENT);
  const insertNextEvent = db.prepare(INSERT_NEXT_EVENT);

  /** Where an id is stored: at the position it names if this file named it, else among the given ones. */
  function find(eventId: string, position: number | undefined): StoredEventId | undefined {
    const generated = position === undefined ? undefined : findGenerated.get({ id: position });
    return generated ? { ...generated, eventId } : findEvent.get({ id: eventId });
  }

  /**
   * The id each event is stored with: null to be named after its position. Almost always
   * nothing was named ahead of the file (`ahead` is 0), and that is the callers' ids.
   */
  function idsToStore(events: readonly EventToStore[], ahead: number, now: number): (string | null)[] | undefined {
    if (ahead === 0) return undefined;
    const next = nextPosition.get() as number;
    return events.map((e, i) => idToStore(e.eventId, next + i, ahead, now) ?? null);
  }

  return (streamId, events, expectedVersion) => {
    const given = findGivenIds(events, ids, find);
    const retried = idempotentResult(streamId, events, given.existing);
    if (retried) return { ...retried, wrote: false };

    const [version, namedAhead] = streamVersion.get({ id: streamId })!;
    checkExpectedVersion(streamId, expectedVersion, version);

    const ahead = Math.max(namedAhead, given.namedAhead);
    if (ahead > namedAhead) nameAhead.run(ahead);
    const recordedAt = Date.now();
    const storedIds = idsToStore(events, ahead, recordedAt);
    const first = events[0]!;
    const info = insertEvent.run(streamId, version + 1, (storedIds ? storedIds[0] : first.eventId) ?? null, first.type, first.data, first.metadata, recordedAt);
    let lastPosition = Number(info.lastInsertRowid);
    for (let i = 1; i < events.length; i++) {
      const e = events[i]!;
      lastPosition++;
      insertNextEvent.run(lastPosition, streamId, version + i + 1, (storedIds ? storedIds[i] : e.eventId) ?? null, e.type, e.data, e.metadata, recordedAt);
    }
    return { nextExpectedVersion: version + events.length, lastPosition, wrote: true };
  };
}
