// Where the key-encryption key (KEK) comes from: the environment (EVENTLINE_KEK, base64
// of 32 bytes) in production, else a key file made on first start for development. A
// key that is missing, malformed or readable by others stops the start with a typed
// error: personal data is never written in the clear for want of a key.

import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeyEncryptionKeyError } from '../core/errors.js';
import { kekId } from './wrap.js';

export { kekId };

/** The environment variable that holds the KEK, base64. */
export const KEK_VARIABLE = 'EVENTLINE_KEK';

const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface KeyEncryptionKey {
  /** The 32 bytes. Never logged, never in a message. */
  readonly key: Buffer;
  /** Names the key without revealing it (`kekId`). */
  readonly id: string;
  /** Where it came from: the environment, a key file that was there, or one just made. */
  readonly source: 'env' | 'file' | 'created';
}

export interface LoadKekOptions {
  /** The key file used when EVENTLINE_KEK is not set, made if missing (e.g. beside the key storage). */
  keyFile?: string;
  /** Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Told the one line of warning when a key file is made. Default: written to stderr. */
  warn?: (line: string) => void;
}

/**
 * The KEK from EVENTLINE_KEK when it is set (even empty: a variable set by mistake is an
 * error, not a reason to fall back), else from `keyFile`, made with 32 random bytes and
 * mode 0600 when it does not exist yet.
 *
 * @example
 * const kek = await loadKek({ keyFile: './data/eventline.kek' });
 */
export async function loadKek(options: LoadKekOptions = {}): Promise<KeyEncryptionKey> {
  const text = (options.env ?? process.env)[KEK_VARIABLE];
  if (text !== undefined) return describeKey(kekFromBase64(text, KEK_VARIABLE), 'env');
  if (options.keyFile === undefined) {
    throw new KeyEncryptionKeyError('missing', `no key-encryption key: set ${KEK_VARIABLE} (base64 of 32 bytes, e.g. openssl rand -base64 32) or give a key file`);
  }
  return readOrCreateKeyFile(options.keyFile, options.warn ?? ((line) => process.stderr.write(`${line}\n`)));
}

/** Decodes a KEK written as base64 (standard or URL-safe) of exactly 32 bytes. `source` names where it came from in the error. */
export function kekFromBase64(text: string, source: string): Buffer {
  const trimmed = text.trim();
  // Node's base64 decoder takes the URL-safe alphabet too; the pattern keeps out anything else it would skip.
  const key = BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
  if (key === undefined || key.length !== KEY_BYTES) {
    throw new KeyEncryptionKeyError('malformed', `${source} must hold the base64 of exactly ${KEY_BYTES} bytes (e.g. openssl rand -base64 32)`);
  }
  return key;
}

async function readOrCreateKeyFile(path: string, warn: (line: string) => void): Promise<KeyEncryptionKey> {
  try {
    return describeKey(await readKeyFile(path), 'file');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (await createKeyFile(path)) {
    warn(`eventline: created a key-encryption key file at ${path} (mode 0600); it must be kept apart from backups of the data (whoever holds both reads forgotten personal data), or set ${KEK_VARIABLE} instead`);
    return describeKey(await readKeyFile(path), 'created');
  }
  // Another process made it first: take theirs.
  return describeKey(await readKeyFile(path), 'file');
}

/** Reads a key file, refusing one that group or others may read or write. */
async function readKeyFile(path: string): Promise<Buffer> {
  const { mode } = await stat(path);
  // POSIX modes only: Windows reports 0666 for any file it may write.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new KeyEncryptionKeyError('exposed', `the key file ${path} has mode 0${(mode & 0o777).toString(8)}: others may read it; make it 0600 (chmod 600)`);
  }
  return kekFromBase64(await readFile(path, 'utf8'), `the key file ${path}`);
}

/**
 * Makes the key file whole or not at all: written and synced under a temporary name with
 * mode 0600, then linked to its name, which fails if the name exists. So a process that
 * starts at the same moment never reads a half-written key. False when one was there.
 */
async function createKeyFile(path: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(`${randomBytes(KEY_BYTES).toString('base64')}\n`, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary);
  }
}

function describeKey(key: Buffer, source: KeyEncryptionKey['source']): KeyEncryptionKey {
  return Object.freeze({ key, id: kekId(key), source });
}
