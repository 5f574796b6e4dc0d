// Copying a key storage into another: what a store copied with `eventline copy` needs to
// open its personal fields where it went. The settings that tie the keys to their
// key-encryption key, the erased ledger and every data key travel as they are, still
// wrapped: no key is opened and no KEK is needed. The subject index stays behind (it names
// positions of the source store); the target's privacy builds its own from the copied
// store as it attaches.

import { ValidationError } from '../core/errors.js';
import type { KeyStorage } from '../store/key-storage.js';
import { KEK_CHECK, SUBJECT_SECRET } from './keyring.js';
import { RECEIPT_KEY_SETTING } from './receipts.js';

const COPIED_SETTINGS = [KEK_CHECK, SUBJECT_SECRET, RECEIPT_KEY_SETTING] as const;

export interface KeyStorageCopy {
  /** Settings copied (those the source holds). */
  settings: number;
  /** Lines of the erased ledger in the source: the target's ledger covers them all afterwards. */
  erased: number;
  /** Data keys stored in the target (a key there already is not counted). */
  keys: number;
}

/**
 * Copies `from` into `to`, which must be new or a copy of the same key storage: one that
 * holds other settings (another KEK, another subject secret) or another current key of a
 * pair is refused with a ValidationError before anything is written. Run again, it adds
 * what is new.
 */
export async function copyKeyStorage(from: KeyStorage, to: KeyStorage): Promise<KeyStorageCopy> {
  if (from === to) throw new ValidationError('keys', 'the source and the target are the same key storage');
  const settings = new Map<string, string>();
  for (const name of COPIED_SETTINGS) {
    const value = await from.getSetting(name);
    if (value === undefined) continue;
    const held = await to.getSetting(name);
    if (held !== undefined && held !== value) {
      throw new ValidationError('keys', `the target key storage holds another ${name}: it belongs to another key-encryption key or store; copy into a key storage of its own`);
    }
    settings.set(name, value);
  }
  // The keys first, in one transaction: a refusal there leaves the target as it was.
  const keys = await to.importKeys(await from.exportKeys());
  const entries = await from.erasedEntries();
  await to.applyErased(entries);
  for (const [name, value] of settings) await to.initSetting(name, value);
  return { settings: settings.size, erased: entries.length, keys };
}
