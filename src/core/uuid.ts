// Event ids are UUIDs. Generated ones are version 7 (time-ordered), so the unique
// index on event ids grows at its right edge instead of at random places.

import { randomFillSync } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// Random bytes are drawn in blocks: one system call serves 256 ids.
const pool = Buffer.alloc(16 * 256);
let poolOffset = pool.length;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function uuidv7(now = Date.now()): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const b = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  // 48-bit millisecond timestamp, then version 7 and the RFC 4122 variant.
  b[0] = Math.floor(now / 2 ** 40) & 0xff;
  b[1] = Math.floor(now / 2 ** 32) & 0xff;
  b[2] = (now >>> 24) & 0xff;
  b[3] = (now >>> 16) & 0xff;
  b[4] = (now >>> 8) & 0xff;
  b[5] = now & 0xff;
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let id = '';
  for (let i = 0; i < 16; i++) {
    id += HEX[b[i]!]!;
    if (i === 3 || i === 5 || i === 7 || i === 9) id += '-';
  }
  return id;
}
