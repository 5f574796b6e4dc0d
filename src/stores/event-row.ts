// Both SQL stores select an event's columns in the same orders and read them as
// arrays (no object per row), with the time as epoch milliseconds.

import type { StoredEvent, StreamPayload } from '../store/storage.js';

/** position, stream_id, version, event_id, type, data, metadata, recorded_at (ms). */
export type EventRow = [number, string, number, string, string, string, string | null, number];

// The fields in RecordedEvent's order: the EventStore turns these very objects into
// recorded events, and JSON prints them in this order.
export function storedFromRow(row: EventRow): StoredEvent {
  return {
    streamId: row[1],
    version: row[2],
    position: row[0],
    eventId: row[3],
    type: row[4],
    data: row[5],
    metadata: row[6],
    recordedAt: new Date(row[7]),
  };
}

/** A stream's rows leave out the stream id the reader already knows: position, version, event_id, type, data, metadata, recorded_at (ms). */
export type StreamRow = [number, number, string, string, string, string | null, number];

export function storedFromStreamRow(streamId: string, row: StreamRow): StoredEvent {
  return {
    streamId,
    version: row[1],
    position: row[0],
    eventId: row[2],
    type: row[3],
    data: row[4],
    metadata: row[5],
    recordedAt: new Date(row[6]),
  };
}

/** version, position, type, data, metadata: what a fold needs. */
export type PayloadRow = [number, number, string, string, string | null];

export function payloadFromRow(row: PayloadRow): StreamPayload {
  return { version: row[0], position: row[1], type: row[2], data: row[3], metadata: row[4] };
}
