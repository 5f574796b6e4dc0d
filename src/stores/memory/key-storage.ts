// The memory key storage, for tests: Maps and an array, gone when the process ends. It
// follows the same rules as the SQLite and PostgreSQL key storages (the conformance
// suite in src/testing/key-storage-conformance.ts holds all three to them). Every call
// runs to its end without awaiting, so each one is a transaction of its own.

import { StoreClosedError, ValidationError } from '../../core/errors.js';
import { currentKeyTaken, erasedEntriesOf, newKeyOf, type ErasedEntry, type KeyStorage, type StoredDataKey } from '../../store/key-storage.js';

export function createMemoryKeyStorage(): KeyStorage {
  const settings = new Map<string, string>();
  // Every key, current and retired: a key in byId and not in current is retired.
  const byId = new Map<string, StoredDataKey>();
  // The one current key id per (subject, category): addKey answers the one stored first.
  const current = new Map<string, string>();
  // When each retired key was retired.
  const retiredAt = new Map<string, number>();
  const ledger: ErasedEntry[] = [];
  const positions = new Map<string, Set<number>>();
  let closed = false;

  // JSON keeps a subject and a category apart whatever characters they hold.
  const pair = (subjectHash: string, category: string) => JSON.stringify([subjectHash, category]);
  const copy = (key: StoredDataKey): StoredDataKey => ({ ...key });

  /** Runs `operation` unless the storage is closed; async so a throw is a rejection, as on the SQL stores. */
  async function open<T>(operation: () => T): Promise<T> {
    if (closed) throw new StoreClosedError();
    return operation();
  }

  const whollyErased = (subjectHash: string) => ledger.some((e) => e.subjectHash === subjectHash && e.category === null);
  const erased = (subjectHash: string, category: string) =>
    ledger.some((e) => e.subjectHash === subjectHash && (e.category === null || e.category === category));

  /** Records `entry` unless the ledger covers it already, and deletes the keys it covers (see erase). */
  function applyEntry({ subjectHash, category, erasedAt }: ErasedEntry): string[] {
    const covered = category === null ? whollyErased(subjectHash) : erased(subjectHash, category);
    if (!covered) ledger.push({ subjectHash, category, erasedAt });
    const deleted: string[] = [];
    for (const key of byId.values()) {
      if (key.subjectHash !== subjectHash || (category !== null && key.category !== category)) continue;
      byId.delete(key.keyId);
      current.delete(pair(key.subjectHash, key.category));
      deleted.push(key.keyId);
    }
    // The other categories of a subject erased in part still hold data to give on request.
    if (category === null) positions.delete(subjectHash);
    return deleted;
  }

  return {
    kind: 'memory',

    getSetting: (name) => open(() => settings.get(name)),

    initSetting: (name, value) =>
      open(() => {
        if (!settings.has(name)) settings.set(name, value);
        return settings.get(name)!;
      }),

    setSetting: (name, value) =>
      open(() => {
        settings.set(name, value);
      }),

    currentKey: (subjectHash, category) =>
      open(() => {
        const keyId = current.get(pair(subjectHash, category));
        return keyId === undefined ? undefined : copy(byId.get(keyId)!);
      }),

    addKey: (key) =>
      open(() => {
        if (erased(key.subjectHash, key.category)) return 'erased' as const;
        const existing = current.get(pair(key.subjectHash, key.category));
        if (existing !== undefined) return copy(byId.get(existing)!);
        // A key id names one key: the SQL stores refuse a second one with it too.
        if (byId.has(key.keyId)) throw new Error('a data key with this id is stored already (key ids are drawn at random)');
        byId.set(key.keyId, copy(key));
        current.set(pair(key.subjectHash, key.category), key.keyId);
        return copy(key);
      }),

    keysById: (keyIds) =>
      open(() => [...new Set(keyIds)].flatMap((keyId) => (byId.has(keyId) ? [copy(byId.get(keyId)!)] : []))),

    erase: (subjectHash, categories, at) =>
      open(() => ({ keyIds: erasedEntriesOf(subjectHash, categories, at).flatMap((entry) => applyEntry(entry)) })),

    isErased: (subjectHash, category) => open(() => erased(subjectHash, category)),

    // Oldest first; a stable sort keeps the order of recording among equal times.
    erasedEntries: () => open(() => ledger.map((e) => ({ ...e })).sort((a, b) => a.erasedAt - b.erasedAt)),

    applyErased: (entries) => open(() => ({ keyIds: entries.flatMap((entry) => applyEntry(entry)) })),

    // A key is retired by leaving `current`; `retiredAt` remembers when.
    retireKeys: (at, makeKey) =>
      open(() => {
        // Every new key first: a makeKey that throws halfway leaves every key as it was.
        const made = [...current.values()]
          .map((keyId) => byId.get(keyId)!)
          .filter((key) => !erased(key.subjectHash, key.category))
          .map((key) => newKeyOf(makeKey, key));
        if (new Set(made.map((key) => key.keyId)).size < made.length || made.some((key) => byId.has(key.keyId))) {
          throw new Error('a data key with this id is stored already (key ids are drawn at random)');
        }
        for (const key of made) {
          const retired = current.get(pair(key.subjectHash, key.category));
          if (retired !== undefined) retiredAt.set(retired, at);
          byId.set(key.keyId, copy(key));
          current.set(pair(key.subjectHash, key.category), key.keyId);
        }
        return made.length;
      }),

    rewrapAll: (rewrap) =>
      open(() => {
        // Every new wrapping first: a rewrap that throws halfway leaves every key as it was.
        const rewrapped = [...byId.values()].map((key) => ({ ...key, ...pick(rewrap(copy(key))) }));
        for (const key of rewrapped) byId.set(key.keyId, key);
        return rewrapped.length;
      }),

    exportKeys: () =>
      open(() => {
        const currentIds = new Set(current.values());
        return [...byId.values()]
          .sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0))
          .map((key) => ({ ...copy(key), retiredAt: currentIds.has(key.keyId) ? null : (retiredAt.get(key.keyId) ?? key.createdAt) }));
      }),

    importKeys: (keys) =>
      open(() => {
        const fresh = keys.filter((key) => !byId.has(key.keyId) && !erased(key.subjectHash, key.category));
        // Checked whole first: a refused import stores nothing.
        for (const key of fresh) {
          if (key.retiredAt === null && current.has(pair(key.subjectHash, key.category))) throw new ValidationError('keys', currentKeyTaken(key.keyId));
        }
        for (const { retiredAt: at, ...key } of fresh) {
          byId.set(key.keyId, copy(key));
          if (at === null) current.set(pair(key.subjectHash, key.category), key.keyId);
          else retiredAt.set(key.keyId, at);
        }
        return fresh.length;
      }),

    indexSubjects: (entries) =>
      open(() => {
        for (const { subjectHash, position } of entries) {
          // An erased subject has nothing left to give on request.
          if (whollyErased(subjectHash)) continue;
          let set = positions.get(subjectHash);
          if (set === undefined) positions.set(subjectHash, (set = new Set()));
          set.add(position);
        }
      }),

    positionsOf: (subjectHash) => open(() => [...(positions.get(subjectHash) ?? [])].sort((a, b) => a - b)),

    async close() {
      closed = true;
    },
  };
}

/** Only the two fields a rewrap may change, whatever else its answer carries. */
function pick({ wrapped, kekId }: { wrapped: string; kekId: string }): { wrapped: string; kekId: string } {
  return { wrapped, kekId };
}
