// Event ids are UUIDs. Generated ones are version 7 (time-ordered), so the unique
// index on event ids grows at its right edge instead of at random places.

import { createHash, randomFillSync } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

// Many ids are drawn in the same millisecond; their time prefix is built once.
let prefixTime = -1;
let prefix = '';

// Random bytes come from the system's secure generator a few kilobytes at a time,
// 10 bytes per id: one for the variant digit, nine for the 18 random hex digits.
const BYTES_PER_ID = 10;
const pool = Buffer.allocUnsafe(BYTES_PER_ID * 512);
let offset = pool.length;
// The variant is binary 10xx: one of these four hex digits.
const VARIANT_DIGITS = '89ab';

/** The variant digit of a UUID, carrying the lowest two bits of `random`. */
export const variantDigit = (random: number): string => VARIANT_DIGITS[random & 3]!;

/** A version-7 UUID: 48 bits of milliseconds, the version digit 7, then random bits. */
export function uuidv7(now = Date.now()): string {
  if (now !== prefixTime) {
    const time = now.toString(16).padStart(12, '0');
    prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    prefixTime = now;
  }
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const variant = variantDigit(pool[offset]!);
  const hex = pool.toString('hex', offset + 1, offset + BYTES_PER_ID);
  offset += BYTES_PER_ID;
  return `${prefix}${hex.slice(0, 3)}-${variant}${hex.slice(3, 6)}-${hex.slice(6)}`;
}

/**
 * A UUID that is the same every time for the same parts (version 8, from SHA-256): the
 * id of something that may be written again, so the repeat is an idempotent retry.
 *
 * @example
 * derivedId('input', 'workflow-review-p1', sourceEventId); // the same input, the same id
 */
export function derivedId(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = variantDigit(parseInt(hex[16]!, 16));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
