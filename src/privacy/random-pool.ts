// Random bytes for many small draws (nonces of 12 bytes): the system's source is asked
// for a block at a time, since each call of randomBytes costs about as much as an
// AES-GCM operation. Every draw is a copy of bytes no other draw gets.

import { randomFillSync } from 'node:crypto';

const DRAWS_PER_BLOCK = 1024;

export interface RandomPool {
  /** `size` fresh random bytes, in a buffer of their own. */
  next(): Buffer;
}

export function randomPool(size: number): RandomPool {
  const block = Buffer.allocUnsafeSlow(size * DRAWS_PER_BLOCK);
  let at = block.length;
  return {
    next() {
      if (at === block.length) {
        randomFillSync(block);
        at = 0;
      }
      const bytes = Buffer.from(block.subarray(at, at + size));
      at += size;
      return bytes;
    },
  };
}
