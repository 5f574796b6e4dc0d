// One append is one IMMEDIATE transaction: it takes the write lock first, so the
// version it checks cannot change before it writes.

import type { Database } from 'better-sqlite3';
import type { ExpectedVersion } from '../../core/errors.js';
import { checkExpectedVersion, idempotentResult } from '../../store/append-rules.js';
import type { AppendResult, EventToStore, StoredEventId } from '../../store/storage.js';

const FIND_EVENT = `
  SELECT event_id AS eventId, stream_id AS streamId, version, position
  FROM events WHERE event_id = ?`;

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
export function prepareAppend(db: Database): AppendInTransaction {
  const findEvent = db.prepare<[string], StoredEventId>(FIND_EVENT);
  const streamVersion = db.prepare<[string], { version: number }>(STREAM_VERSION).pluck();
  const insertEvent = db.prepare(INSERT_EVENT);
  const insertNextEvent = db.prepare(INSERT_NEXT_EVENT);

  return (streamId, events, expectedVersion) => {
    const existing: StoredEventId[] = [];
    for (const { eventId, idGiven } of events) {
      // A freshly generated id cannot be stored yet; the unique index still guards it.
      if (idGiven === false) continue;
      const stored = findEvent.get(eventId);
      if (stored) existing.push(stored);
    }
    const retried = idempotentResult(streamId, events, existing);
    if (retried) return { ...retried, wrote: false };

    const version = (streamVersion.get(streamId) as number | undefined) ?? 0;
    checkExpectedVersion(streamId, expectedVersion, version);

    const recordedAt = Date.now();
    const first = events[0]!;
    const info = insertEvent.run(streamId, version + 1, first.eventId, first.type, first.data, first.metadata, recordedAt);
    let lastPosition = Number(info.lastInsertRowid);
    for (let i = 1; i < events.length; i++) {
      const e = events[i]!;
      lastPosition++;
      insertNextEvent.run(lastPosition, streamId, version + i + 1, e.eventId, e.type, e.data, e.metadata, recordedAt);
    }
    return { nextExpectedVersion: version + events.length, lastPosition, wrote: true };
  };
}
