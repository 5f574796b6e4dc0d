// One append is one IMMEDIATE transaction: it takes the write lock first, so the
// version it checks cannot change before it writes.

import type { Database } from 'better-sqlite3';
import type { ExpectedVersion } from '../../core/errors.js';
import { checkExpectedVersion, idempotentResult } from '../../store/append-rules.js';
import type { AppendResult, EventToStore, StoredEventId } from '../../store/storage.js';
import type { EventIds } from '../event-ids.js';

// Where an id a caller chose is stored, if it is.
const FIND_EVENT = `
  SELECT event_id AS eventId, stream_id AS streamId, version, position
  FROM events WHERE event_id = ?`;

// Where an id this file generated is stored: at its position, with no id of its own.
const FIND_GENERATED = `
  SELECT stream_id AS streamId, version, position
  FROM events WHERE position = ? AND event_id IS NULL`;

// A caller may name an event with an id of this file that names a position not yet
// handed out (say, replaying events into a restored backup). That position is then
// never handed out, so the file never generates the same id for another event.
const RESERVE_POSITION = `UPDATE positions_used SET position = max(position, ?) WHERE id = 1`;

// The (stream_id, version) index answers this from its last entry.
const STREAM_VERSION = `SELECT max(version) FROM events WHERE stream_id = ?`;

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
  const findEvent = db.prepare<[string], StoredEventId>(FIND_EVENT);
  const findGenerated = db.prepare<[number], Omit<StoredEventId, 'eventId'>>(FIND_GENERATED);
  const reservePosition = db.prepare(RESERVE_POSITION);
  const streamVersion = db.prepare<[string], { version: number }>(STREAM_VERSION).pluck();
  const insertEvent = db.prepare(INSERT_EVENT);
  const insertNextEvent = db.prepare(INSERT_NEXT_EVENT);

  return (streamId, events, expectedVersion) => {
    const existing: StoredEventId[] = [];
    let reserved: number[] | undefined;
    for (const { eventId } of events) {
      // Events without an id get one no stored event has: nothing to look for.
      if (eventId === undefined) continue;
      const position = ids.positionOf(eventId);
      const generated = position === undefined ? undefined : findGenerated.get(position);
      const stored = generated ? { ...generated, eventId } : findEvent.get(eventId);
      if (stored) existing.push(stored);
      else if (position !== undefined) (reserved ??= []).push(position);
    }
    const retried = idempotentResult(streamId, events, existing);
    if (retried) return { ...retried, wrote: false };

    const version = (streamVersion.get(streamId) as number | undefined) ?? 0;
    checkExpectedVersion(streamId, expectedVersion, version);

    if (reserved) for (const position of reserved) reservePosition.run(position);
    const recordedAt = Date.now();
    const first = events[0]!;
    const info = insertEvent.run(streamId, version + 1, first.eventId ?? null, first.type, first.data, first.metadata, recordedAt);
    let lastPosition = Number(info.lastInsertRowid);
    for (let i = 1; i < events.length; i++) {
      const e = events[i]!;
      lastPosition++;
      insertNextEvent.run(lastPosition, streamId, version + i + 1, e.eventId ?? null, e.type, e.data, e.metadata, recordedAt);
    }
    return { nextExpectedVersion: version + events.length, lastPosition, wrote: true };
  };
}
