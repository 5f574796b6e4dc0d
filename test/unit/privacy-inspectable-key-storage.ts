// The memory key storage, remembering which settings, keys and subjects were written to
// it, so a test can read back through the interface everything it holds and check that
// nothing personal or secret is in it.

import type { KeyStorage } from '../../src/store/key-storage.js';
import { createMemoryKeyStorage } from '../../src/stores/memory/key-storage.js';

export interface InspectableKeyStorage extends KeyStorage {
  /** Everything it holds, as text. */
  dump(): Promise<string>;
}

export function inspectableKeyStorage(): InspectableKeyStorage {
  const inner = createMemoryKeyStorage();
  const settings = new Set<string>();
  const keyIds = new Set<string>();
  const subjects = new Set<string>();
  return {
    ...inner,
    initSetting(name, value) {
      settings.add(name);
      return inner.initSetting(name, value);
    },
    setSetting(name, value) {
      settings.add(name);
      return inner.setSetting(name, value);
    },
    addKey(key) {
      keyIds.add(key.keyId);
      return inner.addKey(key);
    },
    retireKeys(at, makeKey) {
      return inner.retireKeys(at, (pair) => {
        const key = makeKey(pair);
        keyIds.add(key.keyId);
        return key;
      });
    },
    indexSubjects(entries) {
      for (const { subjectHash } of entries) subjects.add(subjectHash);
      return inner.indexSubjects(entries);
    },
    async dump() {
      const keys = await inner.keysById([...keyIds]);
      return JSON.stringify({
        settings: await Promise.all([...settings].map(async (name) => [name, await inner.getSetting(name)])),
        keys: keys.sort((a, b) => a.keyId.localeCompare(b.keyId)),
        ledger: await inner.erasedEntries(),
        index: await Promise.all([...subjects].map(async (hash) => [hash, await inner.positionsOf(hash)])),
      });
    },
  };
}
