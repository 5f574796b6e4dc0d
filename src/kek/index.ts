// Where a process finds the key-encryption key (KEK) of a key storage, the same for every
// face that opens a store with personal data (the eventline CLI, the Lab). First match wins:
//   EVENTLINE_KEK        base64 of 32 bytes;
//   EVENTLINE_KEK_FILE   a key file (path from the current folder);
//   ./eventline.kek      the key file by default, made (mode 0600) on first use.
// A key file is never made for a key storage already sealed under some KEK: that would
// only be a wrong key, so it is refused with the same message as a missing one. Every
// failure is a KeyEncryptionKeyError of one line that names a key only by its file.

import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KeyEncryptionKeyError } from '../core/errors.js';
import { KEK_VARIABLE, loadKek, type KeyEncryptionKey } from '../privacy/kek.js';
import { RECEIPT_KEY_SETTING } from '../privacy/receipts.js';
import type { KeyStorage } from '../store/key-storage.js';

/** The variable naming the key file, and the key file when it names none. */
export const KEK_FILE_VARIABLE = 'EVENTLINE_KEK_FILE';
export const DEFAULT_KEK_FILE = 'eventline.kek';

/** The key file the environment names (resolved from the current folder); undefined when EVENTLINE_KEK holds the key. */
export function kekFile(env: NodeJS.ProcessEnv): string | undefined {
  if (env[KEK_VARIABLE] !== undefined) return undefined;
  return resolve(process.cwd(), env[KEK_FILE_VARIABLE] || DEFAULT_KEK_FILE);
}

/** Whether some KEK has sealed this key storage (it then holds a receipt key wrapped under it). */
export async function isSealed(keyStorage: KeyStorage): Promise<boolean> {
  return (await keyStorage.getSetting(RECEIPT_KEY_SETTING)) !== undefined;
}

/**
 * The KEK for a key storage, as the environment names it. A key file is made only for a
 * key storage that no KEK has sealed yet; otherwise its absence is a 'missing'
 * KeyEncryptionKeyError. `warn` is told the one line written when a key file is made
 * (default: stderr).
 *
 * @example
 * const kek = await resolveKek(keyStorage, process.env, { warn: (line) => log.warn(line) });
 */
export async function resolveKek(keyStorage: KeyStorage, env: NodeJS.ProcessEnv, options: { warn?: (line: string) => void } = {}): Promise<KeyEncryptionKey> {
  const file = kekFile(env);
  if (file !== undefined && !(await exists(file)) && (await isSealed(keyStorage))) {
    throw new KeyEncryptionKeyError(
      'missing',
      `no key-encryption key: the key file ${file} does not exist, and this key storage is sealed with one; set ${KEK_VARIABLE} or ${KEK_FILE_VARIABLE}`,
    );
  }
  return loadKek({ keyFile: file, env, ...(options.warn !== undefined && { warn: options.warn }) });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
