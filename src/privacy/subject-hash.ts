// Subjects are named by a keyed hash wherever Eventline keeps or shows them (the erased
// ledger, key ids, error messages), so none of those holds a subject id. The key is a
// secret of the key storage: without it, a hash cannot be checked against guessed ids.

import { createHmac } from 'node:crypto';

/** Hex characters kept of the HMAC: 128 bits, plenty to tell subjects apart. */
const HASH_HEX = 32;

/** HMAC-SHA256 of the subject id under `secret`, as the first 32 hex characters. */
export function subjectHash(secret: Buffer, subjectId: string): string {
  return createHmac('sha256', secret).update(subjectId, 'utf8').digest('hex').slice(0, HASH_HEX);
}
