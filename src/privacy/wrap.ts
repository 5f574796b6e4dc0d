// Envelope encryption: each data key is kept sealed under the key-encryption key (KEK),
// so the key storage never holds a key in the clear, and rotating the KEK re-seals the
// small data keys without touching a single event.

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { KeyEncryptionKeyError } from '../core/errors.js';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** The first byte of a wrapped key: its format, so another one can follow. */
const FORMAT = 1;
const ALGORITHM = 'aes-256-gcm';

/**
 * Seals `secret` (a data key, 32 bytes) under `kek`, bound to `keyId` as associated data
 * (a wrapped key copied onto another key id fails). One base64 string:
 * format byte (1), nonce (12), ciphertext, GCM tag (16).
 */
export function wrapKey(kek: Buffer, keyId: string, secret: Buffer): string {
  assertKek(kek);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, kek, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(keyId, 'utf8'));
  const ct = Buffer.concat([cipher.update(secret), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT), nonce, ct, cipher.getAuthTag()]).toString('base64');
}

/** Opens a key sealed by `wrapKey`. A KEK that did not seal it is a KeyEncryptionKeyError 'wrong'. */
export function unwrapKey(kek: Buffer, keyId: string, wrapped: string): Buffer {
  assertKek(kek);
  const bytes = Buffer.from(wrapped, 'base64');
  if (bytes.length < 1 + NONCE_BYTES + TAG_BYTES + 1 || bytes[0] !== FORMAT) {
    throw new KeyEncryptionKeyError('malformed', `the wrapped key ${keyId} is not in the form this Eventline writes`);
  }
  const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
  const ct = bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv(ALGORITHM, kek, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    throw new KeyEncryptionKeyError('wrong', `the key-encryption key ${kekId(kek)} does not open the wrapped key ${keyId}`);
  }
}

/**
 * A value a key storage keeps to tell, at open, whether it is given the KEK it was sealed
 * with: base64 HMAC-SHA256 of a fixed text under the KEK. It reveals nothing of the KEK.
 */
export function kekCheck(kek: Buffer): string {
  assertKek(kek);
  return createHmac('sha256', kek).update('eventline kek check', 'utf8').digest('base64');
}

/** Names a KEK without revealing it: the first 16 hex characters of its SHA-256. */
export function kekId(kek: Buffer): string {
  return createHash('sha256').update(kek).digest('hex').slice(0, 16);
}

/** A KEK is a Buffer of exactly 32 bytes. */
export function assertKek(kek: unknown): asserts kek is Buffer {
  if (!Buffer.isBuffer(kek) || kek.length !== KEY_BYTES) {
    throw new KeyEncryptionKeyError('malformed', `a key-encryption key must be a Buffer of exactly ${KEY_BYTES} bytes`);
  }
}
