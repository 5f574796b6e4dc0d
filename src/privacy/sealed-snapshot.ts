// A snapshot's state sealed as a whole. A state folded from events with personal fields
// holds them in the clear, so it is sealed under a key derived from the data keys of
// every (subject, category) whose fields those events hold: HKDF-SHA256 over the keys
// concatenated in key-id order, with a random salt. Opening needs every one of them, so
// once any of those subjects (or categories) is forgotten the snapshot cannot be opened
// again, and reads as absent: the loader folds the stream, whose fields of that subject
// read as the erased marker, and a later snapshot is taken without that key.
//
// The stored text is `eventline.sealed-snapshot.v1:` and then the JSON of
// { kids, salt, nonce, ct } (base64; `ct` ends with the GCM tag). No JSON text starts
// with `e`, so a plain snapshot is never taken for a sealed one. The associated data
// binds the ciphertext to the stream, the version and the key ids: a sealed state copied
// to another stream or version, or given other key ids, does not open.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { SealedSnapshotError, ValidationError, type SealedSnapshotFailure } from '../core/errors.js';



/** The version of the sealed form this module writes and opens. */
export const SEALED_SNAPSHOT_VERSION = 1;
const PREFIX = 'eventline.sealed-snapshot.';
const LABEL = `eventline.snapshot.v${SEALED_SNAPSHOT_VERSION}`;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

interface SealedForm {
  kids: string[];
  salt: string;
  nonce: string;
  ct: string;
}

/** Whether a stored snapshot text is in the sealed form (of any version); a plain JSON state never is. */
export function isSealedSnapshot(text: string): boolean {
  return text.startsWith(PREFIX);
}

/** The key ids a sealed snapshot text names: the keys it needs, all of them. Throws SealedSnapshotError when it is not well formed. */
export function sealedSnapshotKeyIds(streamId: string, version: number, text: string): string[] {
  return parse(streamId, version, text).kids;
}

/**
 * Seals a state's JSON under the data keys given (key id → 32-byte key; at least one).
 * Each call uses a fresh salt and nonce.
 */
export function sealSnapshotState(streamId: string, version: number, json: string, keys: ReadonlyMap<string, Buffer>): string {
  if (keys.size === 0) throw new ValidationError('keys', 'a snapshot is sealed under at least one data key');
  const kids = [...keys.keys()].sort();
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, derivedKey(kids, keys, salt), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(streamId, version, kids));
  const ct = Buffer.concat([cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const form: SealedForm = { kids, salt: salt.toString('base64'), nonce: nonce.toString('base64'), ct: ct.toString('base64') };
  return `${PREFIX}v${SEALED_SNAPSHOT_VERSION}:${JSON.stringify(form)}`;
}

/**
 * The state's JSON of a sealed snapshot text, given the keys that still exist among those
 * it names: undefined when one of them is missing (forgotten). SealedSnapshotError when
 * the text is not well formed or does not open with the keys it names.
 */
export function openSnapshotState(streamId: string, version: number, text: string, keys: ReadonlyMap<string, Buffer>): string | undefined {
  const { kids, salt, nonce, ct } = parse(streamId, version, text);
  if (kids.some((kid) => !keys.has(kid))) return undefined;
  const sealed = Buffer.from(ct, 'base64');
  try {
    const decipher = createDecipheriv(ALGORITHM, derivedKey(kids, keys, Buffer.from(salt, 'base64')), Buffer.from(nonce, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(streamId, version, kids));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedSnapshotError('authentication', streamId, version, 'it was altered, or sealed for another stream, version or keys');
  }
}

function parse(streamId: string, version: number, text: string): SealedForm {
  const fail = (reason: SealedSnapshotFailure, detail: string): never => {
    throw new SealedSnapshotError(reason, streamId, version, detail);
  };
  if (!isSealedSnapshot(text)) return fail('malformed', 'it is not a sealed snapshot');
  const head = `${PREFIX}v${SEALED_SNAPSHOT_VERSION}:`;
  if (!text.startsWith(head)) return fail('version', `its sealed form is not v${SEALED_SNAPSHOT_VERSION}, the one this Eventline reads`);
  let form: unknown;
  try {
    form = JSON.parse(text.slice(head.length));
  } catch {
    return fail('malformed', 'its sealed form is not JSON');
  }
  const { kids, salt, nonce, ct } = (typeof form === 'object' && form !== null ? form : {}) as Record<string, unknown>;
  const wellFormed =
    Array.isArray(kids) && kids.length > 0 && kids.every((kid, i) => typeof kid === 'string' && kid.length > 0 && (i === 0 || kid > (kids[i - 1] as string))) &&
    isBase64(salt, SALT_BYTES, SALT_BYTES) && isBase64(nonce, NONCE_BYTES, NONCE_BYTES) && isBase64(ct, TAG_BYTES + 1, Infinity);
  if (!wellFormed) return fail('malformed', 'its sealed form is not { kids, salt, nonce, ct }');
  return { kids: kids as string[], salt: salt as string, nonce: nonce as string, ct: ct as string };
}

/** HKDF-SHA256 over the data keys concatenated in key-id order, bound to the label and the key ids. */
function derivedKey(kids: readonly string[], keys: ReadonlyMap<string, Buffer>, salt: Buffer): Buffer {
  const material = Buffer.concat(kids.map((kid) => {
    const key = keys.get(kid)!;
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new ValidationError('keys', `the data key ${kid} is not a Buffer of ${KEY_BYTES} bytes`);
    return key;
  }));
  return Buffer.from(hkdfSync('sha256', material, salt, lengthPrefixed([LABEL, ...kids]), KEY_BYTES));
}

function associatedData(streamId: string, version: number, kids: readonly string[]): Buffer {
  return lengthPrefixed([LABEL, streamId, String(version), ...kids]);
}

/** Each text as its UTF-8 byte length (4 bytes, big endian) and its bytes: no two lists give the same bytes. */
function lengthPrefixed(texts: readonly string[]): Buffer {
  return Buffer.concat(texts.flatMap((text) => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return [length, bytes];
  }));
}

function isBase64(text: unknown, minBytes: number, maxBytes: number): text is string {
  if (typeof text !== 'string' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return false;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length >= minBytes && bytes.length <= maxBytes;
}
