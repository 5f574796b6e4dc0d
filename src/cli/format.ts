// How events and sizes look: one JSON record per event for machines, one aligned,
// single line per event for people.

import type { RecordedEvent } from '../core/events.js';
import type { Column } from './table.js';

/** Human output shows this much of an event's data; --json shows all of it. */
export const MAX_DATA_CHARS = 200;

/** An event as a JSON record: recordedAt as an ISO string, absent metadata as null. */
export function eventRecord(event: RecordedEvent): Record<string, unknown> {
  return {
    streamId: event.streamId,
    version: event.version,
    position: event.position,
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata ?? null,
    recordedAt: event.recordedAt.toISOString(),
  };
}

export const EVENT_COLUMNS: readonly Column[] = [
  { title: 'POSITION', align: 'right' },
  { title: 'STREAM', align: 'left' },
  { title: 'VERSION', align: 'right' },
  { title: 'TYPE', align: 'left' },
  { title: 'DATA', align: 'left' },
];

export function eventCells(event: RecordedEvent): string[] {
  return [
    String(event.position),
    printable(event.streamId),
    String(event.version),
    printable(event.type),
    truncate(printable(JSON.stringify(event.data)), MAX_DATA_CHARS),
  ];
}

/**
 * Stream ids and types may hold any character but U+0000; escape the ones that
 * would break a line or move the cursor, so one event stays one line.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1258291 → "1.2 MiB". */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  // 1023.96 KiB would print as "1024.0 KiB"; call it 1.0 MiB.
  while (value >= 1023.95 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}
