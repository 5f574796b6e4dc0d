// Both SQL stores select an event's columns in the same order and read them as an
// array (no object per row), with the time as epoch milliseconds.

import type { StoredEvent } from '../store/storage.js';

/** position, stream_id, version, event_id, type, data, metadata, recorded_at (ms). */
export type EventRow = [number, string, number, string, string, string, string | null, number];

export function storedFromRow(row: EventRow): StoredEvent {
  return {
    position: row[0],
    streamId: row[1],
    version: row[2],
    eventId: row[3],
    type: row[4],
    data: row[5],
    metadata: row[6],
    recordedAt: new Date(row[7]),
  };
}
