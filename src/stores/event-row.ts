// Both SQL stores select an event's columns in the same orders and read them as
// arrays (no object per row), with the time as epoch milliseconds.

import type { Direction, StoredEvent, StreamPayload } from '../store/storage.js';

/**
 * position, stream_id, version, event_id, type, data, metadata, recorded_at (ms). The
 * event id is null where the store names the event after its position (SQLite).
 */
export type EventRow = [number, string, number, string | null, string, string, string | null, number];

/** A stream's rows leave out the stream id the reader already knows: position, version, event_id, type, data, metadata, recorded_at (ms). */
export type StreamRow = [number, number, string | null, string, string, string | null, number];

/** The id of an event stored without one, from its position. */
export type IdAt = (position: number) => string;

const everyIdStored: IdAt = (position) => {
  // Cannot happen: a store that stores every id never passes this its own null.
  throw new Error(`the event at position ${position} is stored without an id`);
};

/** Events per page of a stream read, in both SQL stores. */
export const STREAM_PAGE_SIZE = 1000;

/** Where the next page of a stream read starts, after the page that ended at version `last`. */
export function nextPageFrom(last: number, direction: Direction): number {
  return direction === 'forward' ? last + 1 : last - 1;
}

/** Turns rows into stored events, naming those stored without an id by `idAt`. */
export function eventRows(idAt: IdAt = everyIdStored) {
  return {
    // The fields in RecordedEvent's order: the EventStore turns these very objects into
    // recorded events, and JSON prints them in this order.
    stored: (row: EventRow): StoredEvent => ({
      streamId: row[1],
      version: row[2],
      position: row[0],
      eventId: row[3] ?? idAt(row[0]),
      type: row[4],
      data: row[5],
      metadata: row[6],
      recordedAt: new Date(row[7]),
    }),
    streamStored: (streamId: string, row: StreamRow): StoredEvent => ({
      streamId,
      version: row[1],
      position: row[0],
      eventId: row[2] ?? idAt(row[0]),
      type: row[3],
      data: row[4],
      metadata: row[5],
      recordedAt: new Date(row[6]),
    }),
  };
}

/** version, position, type, data, metadata: what a fold needs. */
export type PayloadRow = [number, number, string, string, string | null];

export function payloadFromRow(row: PayloadRow): StreamPayload {
  return { version: row[0], position: row[1], type: row[2], data: row[3], metadata: row[4] };
}
