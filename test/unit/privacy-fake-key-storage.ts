// A KeyStorage in a few Maps, for the keyring's tests: it follows the interface's
// contract (src/store/key-storage.ts) as the real stores must, every method as one
// step that is whole or not at all, and hands out copies so a caller never holds its rows.

import { StoreClosedError } from '../../src/core/errors.js';
import type { ErasedEntry, KeyStorage, StoredDataKey } from '../../src/store/key-storage.js';

export interface FakeKeyStorage extends KeyStorage {
  /** Everything it holds, as text: to check that nothing personal or secret is in it. */
  dump(): string;
}

export function fakeKeyStorage(): FakeKeyStorage {
  const settings = new Map<string, string>();
  const keys = new Map<string, StoredDataKey>();
  const ledger: ErasedEntry[] = [];
  const index = new Map<string, Set<number>>();
  let closed = false;

  const open = () => {
    if (closed) throw new StoreClosedError();
  };
  const erasedFor = (subjectHash: string, category: string) =>
    ledger.some((entry) => entry.subjectHash === subjectHash && (entry.category === null || entry.category === category));
  /** Adds the entries the ledger lacks and deletes the keys they cover; answers the ids deleted. */
  const record = (entries: readonly ErasedEntry[], dropIndex: boolean): { keyIds: string[] } => {
    for (const entry of entries) {
      const covered = ledger.some((e) => e.subjectHash === entry.subjectHash && (e.category === null || e.category === entry.category));
      if (!covered) ledger.push({ ...entry });
      if (dropIndex) index.delete(entry.subjectHash);
    }
    const keyIds = [...keys.values()]
      .filter((key) => entries.some((e) => e.subjectHash === key.subjectHash && (e.category === null || e.category === key.category)))
      .map((key) => key.keyId);
    for (const keyId of keyIds) keys.delete(keyId);
    return { keyIds };
  };

  return {
    kind: 'memory',
    async getSetting(name) {
      open();
      return settings.get(name);
    },
    async initSetting(name, value) {
      open();
      if (!settings.has(name)) settings.set(name, value);
      return settings.get(name)!;
    },
    async setSetting(name, value) {
      open();
      settings.set(name, value);
    },
    async currentKey(subjectHash, category) {
      open();
      const ofPair = [...keys.values()].filter((key) => key.subjectHash === subjectHash && key.category === category);
      const newest = ofPair.reduce<StoredDataKey | undefined>((best, key) => (best === undefined || key.createdAt >= best.createdAt ? key : best), undefined);
      return newest === undefined ? undefined : { ...newest };
    },
    async addKey(key) {
      open();
      if (erasedFor(key.subjectHash, key.category)) return 'erased';
      const first = [...keys.values()].find((k) => k.subjectHash === key.subjectHash && k.category === key.category);
      if (first !== undefined) return { ...first };
      keys.set(key.keyId, { ...key });
      return { ...key };
    },
    async keysById(keyIds) {
      open();
      return keyIds.flatMap((keyId) => {
        const key = keys.get(keyId);
        return key === undefined ? [] : [{ ...key }];
      });
    },
    async erase(subjectHash, categories, at) {
      open();
      const entries = categories === null ? [{ subjectHash, category: null, erasedAt: at }] : categories.map((category) => ({ subjectHash, category, erasedAt: at }));
      return record(entries, true);
    },
    async isErased(subjectHash, category) {
      open();
      return erasedFor(subjectHash, category);
    },
    async erasedEntries() {
      open();
      return ledger.map((entry) => ({ ...entry }));
    },
    async applyErased(entries) {
      open();
      return record(entries, false);
    },
    async rewrapAll(rewrap) {
      open();
      // Every new wrapping first, so a rewrap that throws changes nothing (one transaction).
      const next = [...keys.values()].map((key) => ({ ...key, ...rewrap({ ...key }) }));
      for (const key of next) keys.set(key.keyId, key);
      return next.length;
    },
    async indexSubjects(entries) {
      open();
      for (const { subjectHash, position } of entries) {
        const positions = index.get(subjectHash) ?? new Set<number>();
        positions.add(position);
        index.set(subjectHash, positions);
      }
    },
    async positionsOf(subjectHash) {
      open();
      return [...(index.get(subjectHash) ?? [])].sort((a, b) => a - b);
    },
    async close() {
      closed = true;
    },
    dump() {
      return JSON.stringify({ settings: [...settings], keys: [...keys.values()], ledger, index: [...index].map(([hash, set]) => [hash, [...set]]) });
    },
  };
}
