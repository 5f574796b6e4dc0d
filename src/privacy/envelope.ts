// One personal field sealed on its own: AES-256-GCM under the data key of its subject and
// category. The associated data binds the ciphertext to its event, its path and its key
// id, so a ciphertext copied into another event or field, or relabelled with another
// key id, fails to open instead of reading as someone else's data.

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { EnvelopeError, ValidationError, type EnvelopeFailure } from '../core/errors.js';
import { randomPool } from './random-pool.js';

/** What a personal field holds in a stored event. `nonce` and `ct` are base64; `ct` ends with the 16-byte GCM tag. */
export interface Envelope {
  v: number;
  kid: string;
  nonce: string;
  ct: string;
}

/** The envelope version this module writes and opens. */
export const ENVELOPE_VERSION = 1;

export interface SealFieldOptions {
  /** The 32-byte data key. */
  key: Buffer;
  /** The id of that key, kept in the envelope so a reader knows which key opens it. */
  kid: string;
  /** The id of the event the field belongs to. */
  eventId: string;
  /** The field's dot path in the event's data. */
  path: string;
}

export type OpenFieldOptions = Omit<SealFieldOptions, 'kid'>;

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';
/** Nonces are drawn from the system's random source a few thousand at a time: one call per nonce costs more than the sealing. */
const nonces = randomPool(NONCE_BYTES);
// The alphabet, with at most two '=' at the very end; isBase64 checks the rest.
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Seals `value` (JSON-encoded first) for one field of one event, with a fresh random
 * nonce: sealing the same value twice gives two different envelopes.
 *
 * @example
 * const envelope = sealField('Ada', { key, kid, eventId, path: 'name' });
 */
export function sealField(value: unknown, options: SealFieldOptions): Envelope {
  const { key, kid, eventId, path } = options;
  if (!isKey(key)) throw new ValidationError('key', `must be a Buffer of ${KEY_BYTES} bytes`);
  for (const [field, text] of [['kid', kid], ['eventId', eventId], ['path', path]] as const) {
    if (typeof text !== 'string' || text.length === 0) throw new ValidationError(field, 'must be a non-empty string');
  }
  // JSON.stringify gives undefined for undefined, functions and symbols: nothing to seal.
  const json: unknown = JSON.stringify(value);
  if (typeof json !== 'string') throw new ValidationError(path, 'a personal field must hold a JSON value');
  const nonce = nonces.next();
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(eventId, path, kid));
  const ct = Buffer.concat([cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { v: ENVELOPE_VERSION, kid, nonce: nonce.toString('base64'), ct: ct.toString('base64') };
}

/**
 * Opens an envelope sealed by `sealField` for this event and path and gives back the
 * value. Every failure is an EnvelopeError with a `reason`; none names the value or a key.
 */
export function openField(envelope: unknown, options: OpenFieldOptions): unknown {
  const { eventId, path } = options;
  if (!isEnvelope(envelope)) throw refused('malformed', eventId, path, 'it is not an envelope { v, kid, nonce, ct }');
  return openEnvelope(envelope, options);
}

/** openField for a value already known to be an envelope (isEnvelope): the shape is not checked again. */
export function openEnvelope(envelope: Envelope, options: OpenFieldOptions): unknown {
  const { key, eventId, path } = options;
  if (envelope.v !== ENVELOPE_VERSION) throw refused('version', eventId, path, `envelope version ${envelope.v} is not known here (this Eventline reads ${ENVELOPE_VERSION})`);
  if (!isKey(key)) throw refused('key', eventId, path, `the key is not a Buffer of ${KEY_BYTES} bytes`);
  const nonce = Buffer.from(envelope.nonce, 'base64');
  const sealed = Buffer.from(envelope.ct, 'base64');
  let json: string;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(eventId, path, envelope.kid));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const head = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    const tail = decipher.final();
    json = (tail.length === 0 ? head : Buffer.concat([head, tail])).toString('utf8');
  } catch {
    // Without the cause: OpenSSL only says the tag did not match, and which part was altered cannot be known.
    throw refused('authentication', eventId, path, 'the key, or the envelope, its event or its path, is not the one it was sealed with');
  }
  try {
    return JSON.parse(json) as unknown;
  } catch {
    // Authenticated but not JSON: sealed by something other than sealField. Not echoed.
    throw refused('malformed', eventId, path, 'the sealed value is not JSON');
  }
}

function refused(reason: EnvelopeFailure, eventId: unknown, path: unknown, detail: string): EnvelopeError {
  return new EnvelopeError(reason, String(eventId), String(path), detail);
}

/**
 * Whether `value` has exactly the shape of an envelope: the four keys and nothing else,
 * a whole version, a key id, a 12-byte nonce and a ciphertext longer than its tag, in
 * canonical base64. An envelope of a version this Eventline does not know is still an
 * envelope, so it is never taken for plain data; `openField` refuses it.
 */
export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  let keys = 0;
  for (const name in value) {
    if (!Object.hasOwn(value, name)) continue;
    if (name !== 'v' && name !== 'kid' && name !== 'nonce' && name !== 'ct') return false;
    keys++;
  }
  if (keys !== 4) return false;
  const { v, kid, nonce, ct } = value as Record<string, unknown>;
  return (
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 &&
    typeof kid === 'string' && kid.length > 0 &&
    isBase64(nonce, NONCE_BYTES, NONCE_BYTES) &&
    isBase64(ct, TAG_BYTES + 1, Infinity)
  );
}

const AAD_LABEL = Buffer.from(`eventline.field.v${ENVELOPE_VERSION}`, 'utf8');

/**
 * The associated data: each of the three texts as its UTF-8 byte length (4 bytes, big
 * endian) followed by its bytes, after a label with the version. Length prefixes make the
 * encoding unambiguous: ('a.b', 'c') and ('a', 'b.c') never give the same bytes.
 */
function associatedData(eventId: string, path: string, kid: string): Buffer {
  const lengths = [Buffer.byteLength(eventId, 'utf8'), Buffer.byteLength(path, 'utf8'), Buffer.byteLength(kid, 'utf8')] as const;
  const bytes = Buffer.allocUnsafe(16 + AAD_LABEL.length + lengths[0] + lengths[1] + lengths[2]);
  let at = bytes.writeUInt32BE(AAD_LABEL.length, 0);
  at += AAD_LABEL.copy(bytes, at);
  at = bytes.writeUInt32BE(lengths[0], at);
  at += bytes.write(eventId, at, 'utf8');
  at = bytes.writeUInt32BE(lengths[1], at);
  at += bytes.write(path, at, 'utf8');
  at = bytes.writeUInt32BE(lengths[2], at);
  bytes.write(kid, at, 'utf8');
  return bytes;
}

function isKey(key: unknown): key is Buffer {
  return Buffer.isBuffer(key) && key.length === KEY_BYTES;
}

/**
 * Whether `text` is canonical base64 of `minBytes` to `maxBytes` bytes: the alphabet, whole
 * quanta of 4 characters, padding only at the end, and no unused bits set in the last
 * quantum (they would give a second spelling of the same bytes).
 */
function isBase64(text: unknown, minBytes: number, maxBytes: number): text is string {
  if (typeof text !== 'string' || text.length % 4 !== 0) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = (text.length / 4) * 3 - padding;
  if (bytes < minBytes || bytes > maxBytes || !BASE64_CHARACTERS.test(text)) return false;
  if (padding === 0) return true;
  const last = text.slice(-4);
  return Buffer.from(last, 'base64').toString('base64') === last;
}
