// The keyring ties the pieces together over a key storage: it names subjects by their
// keyed hash, hands out the current data key of a (subject, category), forgets subjects,
// rotates the key-encryption key (KEK) and rotates data keys. The storage keeps every key
// wrapped. Reads ask it on each call, so a subject another process forgot reads as
// forgotten at once. Appends reuse the current key of a (subject, category) this process
// looked up for a moment (`currentKeyCacheMs`), since asking the storage would cost more
// than sealing: a subject another process forgets meanwhile is refused here only after
// that moment, and what is sealed in it is under a key that is gone, so it reads as
// erased everywhere. Forgetting in this process empties the caches of the subject at once.
//
// What rotating data keys (`rotateDataKeys`) does and does not do:
// - Every (subject, category) that has a key and is not forgotten gets a new current key;
//   appends from then on seal under it. No event is touched and nothing is re-encrypted:
//   what was sealed before stays sealed under its old data key, which is kept (retired)
//   to open it, until the subject (or that category) is forgotten and every key of the
//   pair is deleted. A data key that leaked thus keeps opening what it sealed until then.
// - Other processes keep sealing under the previous key for up to their
//   `currentKeyCacheMs`; those events open like any other, with the retired key.
// - This process stops handing out the retired keys as current at once.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { KeyEncryptionKeyError, SubjectErasedError, ValidationError } from '../core/errors.js';
import { assertCount } from '../core/validation.js';
import type { KeyStorage, StoredDataKey } from '../store/key-storage.js';
import { assertCategory, checkCategories, subjectIdOf } from './declarations.js';
import { subjectHash } from './subject-hash.js';
import { openSetting, sealSetting, sealedUnder } from './sealed-setting.js';
import { assertKek, kekCheck, kekId, unwrapKey, wrapKey } from './wrap.js';

/** A data key in the clear, and the id an envelope names it by. */
export interface DataKey {
  keyId: string;
  /** Shared with the keyring's cache: read it, never change it. */
  key: Buffer;
}

export interface ForgetResult {
  subjectHash: string;
  /** The categories forgotten; null: every category. */
  categories: readonly string[] | null;
  /** The ids of the keys deleted (none when the subject was forgotten already). */
  keyIds: string[];
}

export interface RotateResult {
  /** The id of the KEK every key is now wrapped under. */
  kekId: string;
  /** How many data keys were re-wrapped. */
  rewrapped: number;
}

export interface RotateDataKeysResult {
  /** How many (subject, category) pairs got a new current data key. */
  rotated: number;
}

export interface Keyring {
  /** The id of the KEK in use (it changes with `rotate`). */
  readonly kekId: string;
  /** The keyed hash that names a subject in the ledger, key ids and messages. */
  hashOf(subjectId: string): string;
  /** The current data key of (subject, category), made when there is none. SubjectErasedError when forgotten. */
  keyFor(subjectId: string, category: string): Promise<DataKey>;
  /**
   * The current data key of (subject, category) if this process looked it up within
   * `currentKeyCacheMs`, else undefined; never asks the key storage. Lets a caller seal
   * without waiting when every key it needs is at hand.
   */
  cachedKeyFor(subjectId: string, category: string): DataKey | undefined;
  /** The keys of these ids that still exist; an id that is absent has been forgotten. */
  keysById(keyIds: readonly string[]): Promise<Map<string, Buffer>>;
  /** Forgets a subject (or some categories of it): its keys are deleted and it never gets one again. Idempotent. */
  forget(subjectId: string, options?: { categories?: readonly string[] }): Promise<ForgetResult>;
  /**
   * Re-wraps every data key, the subject secret and the receipt key under `newKek`; then only `newKek`
   * opens the key storage. No event is touched. Run it with every other process of the
   * application stopped: one still holding the old KEK would wrap new keys under it.
   */
  rotate(newKek: Buffer): Promise<RotateResult>;
  /**
   * Gives every (subject, category) that has a data key and is not forgotten a new current
   * data key, for the appends from now on. No event is touched: the keys retired keep
   * opening what they sealed until their subject is forgotten (see the header of keyring.ts).
   */
  rotateDataKeys(): Promise<RotateDataKeysResult>;
}

export interface KeyringOptions {
  /** Epoch milliseconds, for `createdAt` and `erasedAt`. Default `Date.now`. */
  now?: () => number;
  /** How many unwrapped keys the keyring keeps at most. Default 256. */
  cacheSize?: number;
  /**
   * How long a current key this process looked up serves appends before the key storage
   * is asked again, in ms. Default 1000; 0 asks on every append.
   */
  currentKeyCacheMs?: number;
}

export const KEK_CHECK = 'kek-check';
export const SUBJECT_SECRET = 'subject-secret';
/** Secrets other parts of src/privacy keep sealed under the KEK (receipts.ts), re-wrapped by `rotate`. */
const OTHER_SEALED_SETTINGS = ['receipt-key'];
const KEY_BYTES = 32;

/**
 * Opens the keyring of a key storage under `kek`. A KEK other than the one the storage
 * was first opened with is a KeyEncryptionKeyError 'wrong', before anything is written.
 *
 * @example
 * const keyring = await openKeyring(keyStorage, (await loadKek({ keyFile })).key);
 * const { keyId, key } = await keyring.keyFor('author-17', 'contact');
 */
export async function openKeyring(storage: KeyStorage, kek: Buffer, options: KeyringOptions = {}): Promise<Keyring> {
  assertKek(kek);
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 256;
  assertCount(cacheSize, 'cacheSize', 0);
  const cache = new KeyCache(cacheSize);
  const currentKeyCacheMs = options.currentKeyCacheMs ?? 1000;
  assertCount(currentKeyCacheMs, 'currentKeyCacheMs', 0);
  /** The current key id of (subject hash, category), and when it was looked up (performance.now). */
  const currentKeys = new Map<string, { keyId: string; subjectHash: string; category: string; at: number }>();
  /** Counts data-key rotations: a lookup that began before one does not fill currentKeys with a retired key. */
  let rotations = 0;
  const hashes = new Map<string, string>();

  const check = await storage.initSetting(KEK_CHECK, kekCheck(kek));
  if (!sameText(check, kekCheck(kek))) {
    throw new KeyEncryptionKeyError('wrong', `the key-encryption key ${kekId(kek)} is not the one this key storage (${storage.kind}) is sealed with`);
  }
  let current = { kek, id: kekId(kek) };
  const secret = openSetting(await storage.initSetting(SUBJECT_SECRET, sealSetting(kek, SUBJECT_SECRET, randomBytes(KEY_BYTES))), SUBJECT_SECRET, current);

  const hashOf = (subjectId: string): string => {
    let hash = hashes.get(subjectId);
    if (hash === undefined) {
      hash = subjectHash(secret, subjectIdOf(subjectId, 'subjectId'));
      // A bounded memo: the subjects of recent appends, as the key cache holds their keys.
      if (hashes.size >= cacheSize) hashes.clear();
      hashes.set(subjectId, hash);
    }
    return hash;
  };

  /** The key of a stored row in the clear, from the cache or unwrapped under the current KEK. */
  const unwrap = (stored: StoredDataKey): Buffer => {
    const cached = cache.get(stored.keyId);
    if (cached !== undefined) return cached;
    if (stored.kekId !== current.id) {
      throw new KeyEncryptionKeyError('wrong', `the data key ${stored.keyId} is wrapped under key-encryption key ${stored.kekId}, not under ${current.id}`);
    }
    const key = unwrapKey(current.kek, stored.keyId, stored.wrapped);
    if (key.length !== KEY_BYTES) throw new KeyEncryptionKeyError('malformed', `the data key ${stored.keyId} is not ${KEY_BYTES} bytes`);
    cache.set(stored.keyId, key, stored.subjectHash, stored.category);
    return key;
  };

  /** A new data key for (subject, category), wrapped under the current KEK, and the key in the clear. */
  const newKey = (hash: string, category: string): { stored: StoredDataKey; key: Buffer } => {
    const key = randomBytes(KEY_BYTES);
    // The subject appears by its hash only, and the random tail keeps a later key of the same pair apart.
    const keyId = `${hash}.${category}.${randomBytes(4).toString('hex')}`;
    return { stored: { keyId, subjectHash: hash, category, wrapped: wrapKey(current.kek, keyId, key), kekId: current.id, createdAt: now() }, key };
  };

  /** A new data key for (subject, category), or the one another process stored first. */
  const createKey = async (hash: string, category: string): Promise<StoredDataKey> => {
    const { stored, key } = newKey(hash, category);
    const answer = await storage.addKey(stored);
    if (answer === 'erased') throw new SubjectErasedError(hash, category);
    if (answer.keyId === stored.keyId) cache.set(stored.keyId, key, hash, category);
    return answer;
  };

  function cachedKeyFor(subjectId: string, category: string): DataKey | undefined {
    const hash = hashOf(subjectId);
    assertCategory(category, 'category');
    const known = currentKeys.get(`${hash}/${category}`);
    if (known === undefined || performance.now() - known.at >= currentKeyCacheMs) return undefined;
    const key = cache.get(known.keyId);
    return key === undefined ? undefined : { keyId: known.keyId, key };
  }

  return {
    get kekId() {
      return current.id;
    },
    hashOf,

    cachedKeyFor,

    async keyFor(subjectId, category) {
      const cached = cachedKeyFor(subjectId, category);
      if (cached !== undefined) return cached;
      const hash = hashOf(subjectId);
      const pair = `${hash}/${category}`;
      const asked = rotations;
      const stored = (await storage.currentKey(hash, category)) ?? (await createKey(hash, category));
      const key = unwrap(stored);
      if (currentKeyCacheMs > 0 && asked === rotations) {
        if (currentKeys.size >= cacheSize) currentKeys.clear();
        currentKeys.set(pair, { keyId: stored.keyId, subjectHash: hash, category, at: performance.now() });
      }
      return { keyId: stored.keyId, key };
    },

    async keysById(keyIds) {
      if (!Array.isArray(keyIds) || keyIds.some((id) => typeof id !== 'string')) {
        throw new ValidationError('keyIds', 'must be an array of key ids');
      }
      const found = new Map<string, Buffer>();
      if (keyIds.length === 0) return found;
      for (const stored of await storage.keysById([...new Set(keyIds)])) found.set(stored.keyId, unwrap(stored));
      return found;
    },

    async forget(subjectId, forgetOptions = {}) {
      const hash = hashOf(subjectId);
      const categories = checkCategories(forgetOptions.categories);
      const { keyIds } = await storage.erase(hash, categories, now());
      cache.forget(hash, categories);
      for (const [pair, known] of currentKeys) {
        if (known.subjectHash === hash && (categories === null || categories.includes(known.category))) currentKeys.delete(pair);
      }
      for (const keyId of keyIds) cache.delete(keyId);
      return { subjectHash: hash, categories, keyIds };
    },

    async rotate(newKek) {
      assertKek(newKek);
      const next = { kek: newKek, id: kekId(newKek) };
      const rewrapped = await storage.rewrapAll((stored) => {
        // Already under the new KEK: a rotation that stopped after this step is being run again.
        if (stored.kekId === next.id) return { wrapped: stored.wrapped, kekId: next.id };
        return { wrapped: wrapKey(next.kek, stored.keyId, unwrap(stored)), kekId: next.id };
      });
      await storage.setSetting(SUBJECT_SECRET, sealSetting(next.kek, SUBJECT_SECRET, secret));
      // The other sealed settings (the receipt key of erasure receipts), when there are.
      for (const name of OTHER_SEALED_SETTINGS) {
        const setting = await storage.getSetting(name);
        if (setting === undefined || sealedUnder(setting, name) === next.id) continue;
        await storage.setSetting(name, sealSetting(next.kek, name, openSetting(setting, name, current)));
      }
      await storage.setSetting(KEK_CHECK, kekCheck(next.kek));
      current = next;
      return { kekId: next.id, rewrapped };
    },

    async rotateDataKeys() {
      // Unwrapped only when first used: a rotation of many keys leaves the cache as it is.
      const rotated = await storage.retireKeys(now(), ({ subjectHash: hash, category }) => newKey(hash, category).stored);
      rotations++;
      currentKeys.clear();
      return { rotated };
    },
  };
}


function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')];
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Unwrapped keys, least recently used first out, with the subject each belongs to so forgetting can drop them. */
class KeyCache {
  readonly #entries = new Map<string, { key: Buffer; subjectHash: string; category: string }>();

  constructor(readonly size: number) {}

  get(keyId: string): Buffer | undefined {
    const entry = this.#entries.get(keyId);
    if (entry === undefined) return undefined;
    this.#entries.delete(keyId);
    this.#entries.set(keyId, entry);
    return entry.key;
  }

  set(keyId: string, key: Buffer, subjectHash: string, category: string): void {
    this.#entries.delete(keyId);
    this.#entries.set(keyId, { key, subjectHash, category });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.size) break;
      this.#entries.delete(oldest);
    }
  }

  delete(keyId: string): void {
    this.#entries.delete(keyId);
  }

  /** Drops the keys of a subject: every category (null) or these. */
  forget(subjectHash: string, categories: readonly string[] | null): void {
    for (const [keyId, entry] of this.#entries) {
      if (entry.subjectHash === subjectHash && (categories === null || categories.includes(entry.category))) this.#entries.delete(keyId);
    }
  }
}
