// Event ids are UUIDs. Generated ones are version 7 (time-ordered), so the unique
// index on event ids grows at its right edge instead of at random places.

import { randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

// Many ids are drawn in the same millisecond; their time prefix is built once.
let prefixTime = -1;
let prefix = '';

/**
 * A version-7 UUID: 48 bits of milliseconds, then random bits. Built from Node's
 * (cached, fast) random v4 UUID: the time replaces its first 12 hex digits and the
 * version digit becomes 7; the variant bits are already right.
 */
export function uuidv7(now = Date.now()): string {
  if (now !== prefixTime) {
    const time = now.toString(16).padStart(12, '0');
    prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    prefixTime = now;
  }
  return prefix + randomUUID().slice(15);
}

