// Copied events on SQLite (storage.ts, writeCopied): written inside the caller's
// IMMEDIATE transaction, each at the next position, with the id, version, time and
// payload it had in the store it comes from.

import type { Database } from 'better-sqlite3';
import { copyAction } from '../../store/copy-rules.js';
import type { CopiedEvent, CopiedPositions, StoredEventId } from '../../store/storage.js';
import type { EventIds } from '../event-ids.js';

// Where an id is stored, or was before a prune.
const FIND_EVENT = `
  SELECT stream_id AS streamId, version, position FROM events WHERE event_id = ?
  UNION ALL
  SELECT stream_id, version, position FROM pruned_events WHERE event_id = ?`;

// Where an id this file names after a position is: at that position, with no id of its own.
const FIND_NAMED = `
  SELECT stream_id AS streamId, version, position FROM events WHERE position = ? AND event_id IS NULL
  UNION ALL
  SELECT stream_id, version, position FROM pruned_events WHERE position = ? AND event_id IS NULL`;

// The highest version the stream has, or had before a prune.
const STREAM_VERSION = `
  SELECT max(coalesce((SELECT max(version) FROM events WHERE stream_id = ?), 0),
             coalesce((SELECT max(version) FROM pruned_events WHERE stream_id = ?), 0))`;

// Never a position handed out before (append.ts).
const NEXT_POSITION = `SELECT max(coalesce((SELECT max(position) FROM events), 0), (SELECT position FROM positions_used WHERE id = 1)) + 1`;

const INSERT_EVENT = `
  INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, recorded_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

type Place = Omit<StoredEventId, 'eventId'>;

/** Returns a function that writes copied events; call it inside a write transaction. */
export function prepareCopy(db: Database, ids: EventIds): (events: readonly CopiedEvent[]) => CopiedPositions {
  const findEvent = db.prepare<[string, string], Place>(FIND_EVENT);
  const findNamed = db.prepare<[number, number], Place>(FIND_NAMED);
  const streamVersion = db.prepare<[string, string]>(STREAM_VERSION).pluck();
  const nextPosition = db.prepare(NEXT_POSITION).pluck();
  const insertEvent = db.prepare(INSERT_EVENT);

  return (events) => {
    const positions: number[] = [];
    // A stream's version as this batch leaves it: read once a batch.
    const versions = new Map<string, number>();
    let position = (nextPosition.get() as number) - 1;
    let written = 0;
    for (const e of events) {
      const named = ids.positionOf(e.eventId);
      const stored = (named === undefined ? undefined : findNamed.get(named, named)) ?? findEvent.get(e.eventId, e.eventId);
      const versionNow = versions.get(e.streamId) ?? (streamVersion.get(e.streamId, e.streamId) as number);
      if (copyAction(e, stored, versionNow) === 'stored') {
        positions.push(stored!.position);
        continue;
      }
      position++;
      // An id this file names after the position is stored as none, as when it was appended.
      insertEvent.run(position, e.streamId, e.version, named === position ? null : e.eventId, e.type, e.data, e.metadata, e.recordedAt.getTime());
      versions.set(e.streamId, e.version);
      positions.push(position);
      written++;
    }
    return { positions, written };
  };
}
