// The key-storage conformance suite: one function that registers every case of the
// KeyStorage contract (src/store/key-storage.ts) with node:test, for any key storage, as
// eventStoreConformance does for event stores. Each store's test is a few lines; what a
// store alone can prove (bytes off the disk, races between processes) stays in its own.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { KeyPair, KeyStorage, StoredDataKey } from '../store/key-storage.js';

export interface KeyStorageConformanceOptions {
  /**
   * A fresh, empty place (a file, a schema) and a function that opens it, the same keys
   * at every call: the case that reopens a key storage runs on it. Omit it for a key
   * storage that lives and dies with its object (memory); that case is then skipped.
   */
  persistent?(): Promise<() => Promise<KeyStorage>>;
  /** Cases this key storage cannot run, each with the reason. */
  skip?: readonly { test: string; reason: string }[];
}

type Case = (keys: KeyStorage) => Promise<void>;

/**
 * @example
 * import { keyStorageConformance } from 'eventline/testing';
 * keyStorageConformance('memory', async () => openKeyStorage('memory:'));
 */
export function keyStorageConformance(name: string, open: () => Promise<KeyStorage>, options: KeyStorageConformanceOptions = {}): void {
  /** Registers one case: a fresh key storage, closed afterwards, or a declared skip. */
  const define = (title: string, body: Case) => {
    const skipped = options.skip?.find((s) => s.test === title);
    if (skipped) return void test(title, { skip: skipped.reason }, () => {});
    test(title, async () => {
      const keys = await open();
      try {
        await body(keys);
      } finally {
        await keys.close();
      }
    });
  };

  describe(`key storage conformance: ${name}`, () => {
    define('a setting is set by the first writer, and the others are told its value', async (keys) => {
      assert.equal(await keys.getSetting('check'), undefined);
      const answers = await Promise.all([keys.initSetting('check', 'a'), keys.initSetting('check', 'b')]);
      assert.equal(answers[0], answers[1]);
      assert.ok(answers[0] === 'a' || answers[0] === 'b');
      assert.equal(await keys.initSetting('check', 'c'), answers[0]);
      assert.equal(await keys.getSetting('check'), answers[0]);
      await keys.setSetting('check', 'rotated');
      assert.equal(await keys.getSetting('check'), 'rotated');
    });

    define('a key added is the current key of its subject and category, and found by its id', async (keys) => {
      const key = dataKey('s1', 'profile');
      assert.deepEqual(await keys.addKey(key), key);
      assert.deepEqual(await keys.currentKey('s1', 'profile'), key);
      assert.equal(await keys.currentKey('s1', 'contact'), undefined);
      assert.equal(await keys.currentKey('s2', 'profile'), undefined);
      assert.deepEqual(await keys.keysById([key.keyId, 'no-such-key', key.keyId]), [key]);
      assert.deepEqual(await keys.keysById([]), []);
    });

    define('adding a key where one is stored answers the stored one, also when two add at once', async (keys) => {
      const first = dataKey('s1', 'profile');
      await keys.addKey(first);
      assert.deepEqual(await keys.addKey(dataKey('s1', 'profile')), first);
      const [a, b] = await Promise.all([keys.addKey(dataKey('s2', 'profile')), keys.addKey(dataKey('s2', 'profile'))]);
      assert.notEqual(a, 'erased');
      assert.deepEqual(a, b);
      assert.deepEqual(await keys.currentKey('s2', 'profile'), a);
    });

    define('erasing a subject deletes all its keys and positions, answers their ids, and refuses it keys ever after', async (keys) => {
      const profile = await added(keys, dataKey('s1', 'profile'));
      const contact = await added(keys, dataKey('s1', 'contact'));
      const other = await added(keys, dataKey('s2', 'profile'));
      await keys.indexSubjects([{ subjectHash: 's1', position: 3 }, { subjectHash: 's2', position: 4 }]);

      const { keyIds } = await keys.erase('s1', null, 1_000);
      assert.deepEqual(keyIds.sort(), [profile.keyId, contact.keyId].sort());
      assert.deepEqual(await keys.keysById([profile.keyId, contact.keyId, other.keyId]), [other]);
      assert.equal(await keys.currentKey('s1', 'profile'), undefined);
      assert.deepEqual(await keys.positionsOf('s1'), []);
      assert.deepEqual(await keys.positionsOf('s2'), [4]);
      assert.deepEqual(await keys.erasedEntries(), [{ subjectHash: 's1', category: null, erasedAt: 1_000 }]);
      assert.equal(await keys.isErased('s1', 'any category'), true);
      assert.equal(await keys.isErased('s2', 'profile'), false);
      assert.equal(await keys.addKey(dataKey('s1', 'profile')), 'erased');
      assert.equal(await keys.addKey(dataKey('s1', 'billing')), 'erased');
      // Nothing to give on request any more, so nothing is noted.
      await keys.indexSubjects([{ subjectHash: 's1', position: 9 }]);
      assert.deepEqual(await keys.positionsOf('s1'), []);
    });

    define('erasing one category deletes its key and leaves the other categories and the positions', async (keys) => {
      const profile = await added(keys, dataKey('s1', 'profile'));
      const contact = await added(keys, dataKey('s1', 'contact'));
      await keys.indexSubjects([{ subjectHash: 's1', position: 7 }]);

      assert.deepEqual(await keys.erase('s1', ['contact'], 2_000), { keyIds: [contact.keyId] });
      assert.deepEqual(await keys.currentKey('s1', 'profile'), profile);
      assert.equal(await keys.isErased('s1', 'contact'), true);
      assert.equal(await keys.isErased('s1', 'profile'), false);
      assert.equal(await keys.addKey(dataKey('s1', 'contact')), 'erased');
      assert.notEqual(await keys.addKey(dataKey('s1', 'billing')), 'erased');
      assert.deepEqual(await keys.positionsOf('s1'), [7]);
      assert.deepEqual(await keys.erasedEntries(), [{ subjectHash: 's1', category: 'contact', erasedAt: 2_000 }]);
    });

    define('erasing again deletes nothing and records nothing new', async (keys) => {
      await added(keys, dataKey('s1', 'profile'));
      await added(keys, dataKey('s2', 'profile'));
      await keys.erase('s1', null, 1_000);
      await keys.erase('s2', ['profile'], 1_500);
      const ledger = await keys.erasedEntries();
      assert.deepEqual(await keys.erase('s1', null, 3_000), { keyIds: [] });
      assert.deepEqual(await keys.erase('s2', ['profile'], 3_000), { keyIds: [] });
      // A category of a subject erased whole is covered already.
      assert.deepEqual(await keys.erase('s1', ['profile'], 3_000), { keyIds: [] });
      assert.deepEqual(await keys.erasedEntries(), ledger);
    });

    define('applyErased adds the entries the ledger lacks and deletes the keys they cover, as a restored storage catching up', async (keys) => {
      await keys.erase('s3', null, 10);
      const s1Profile = await added(keys, dataKey('s1', 'profile'));
      const s1Contact = await added(keys, dataKey('s1', 'contact'));
      const s2Profile = await added(keys, dataKey('s2', 'profile'));
      await keys.indexSubjects([{ subjectHash: 's2', position: 1 }]);
      const receipts = [
        { subjectHash: 's2', category: null, erasedAt: 30 },
        { subjectHash: 's3', category: null, erasedAt: 10 },
        { subjectHash: 's1', category: 'contact', erasedAt: 20 },
      ];

      const { keyIds } = await keys.applyErased(receipts);
      assert.deepEqual(keyIds.sort(), [s1Contact.keyId, s2Profile.keyId].sort());
      assert.deepEqual(await keys.erasedEntries(), [
        { subjectHash: 's3', category: null, erasedAt: 10 },
        { subjectHash: 's1', category: 'contact', erasedAt: 20 },
        { subjectHash: 's2', category: null, erasedAt: 30 },
      ]);
      assert.deepEqual(await keys.currentKey('s1', 'profile'), s1Profile);
      assert.deepEqual(await keys.positionsOf('s2'), []);
      assert.equal(await keys.addKey(dataKey('s2', 'profile')), 'erased');
      assert.deepEqual(await keys.applyErased(receipts), { keyIds: [] });
      assert.equal((await keys.erasedEntries()).length, 3);
    });

    define('rewrapAll re-wraps every key in one go, and a rewrap that fails changes none', async (keys) => {
      const all = [dataKey('s1', 'profile'), dataKey('s1', 'contact'), dataKey('s2', 'profile')];
      for (const key of all) await keys.addKey(key);
      const ids = all.map((key) => key.keyId);

      let calls = 0;
      const failing = (key: StoredDataKey) => {
        if (++calls === 2) throw new Error('the new key-encryption key is gone');
        return { wrapped: `lost-${key.wrapped}`, kekId: 'kek-lost' };
      };
      await assert.rejects(keys.rewrapAll(failing), /key-encryption key is gone/);
      assert.deepEqual(sortById(await keys.keysById(ids)), sortById(all));

      assert.equal(await keys.rewrapAll((key) => ({ wrapped: `new-${key.wrapped}`, kekId: 'kek-2' })), 3);
      const rewrapped = all.map((key) => ({ ...key, wrapped: `new-${key.wrapped}`, kekId: 'kek-2' }));
      assert.deepEqual(sortById(await keys.keysById(ids)), sortById(rewrapped));
      assert.deepEqual(await keys.currentKey('s1', 'contact'), rewrapped[1]);
    });

    define('retiring keys gives every pair a new current key, and the retired keys are still found by their ids', async (keys) => {
      const old = [await added(keys, dataKey('s1', 'profile')), await added(keys, dataKey('s1', 'contact')), await added(keys, dataKey('s2', 'profile'))];
      const { makeKey, made } = newKeys();
      assert.equal(await keys.retireKeys(5_000, makeKey), 3);
      assert.deepEqual(made.map(pairOf).sort(), old.map(pairOf).sort());
      for (const key of made) assert.deepEqual(await keys.currentKey(key.subjectHash, key.category), key);
      assert.deepEqual(sortById(await keys.keysById([...old, ...made].map((key) => key.keyId))), sortById([...old, ...made]));
      // The rule of addKey holds for the new current key.
      assert.deepEqual(await keys.addKey(dataKey('s1', 'profile')), made.find((key) => key.subjectHash === 's1' && key.category === 'profile'));
    });

    define('erasing a pair after a retiring deletes its retired and its current key', async (keys) => {
      const old = [await added(keys, dataKey('s1', 'profile')), await added(keys, dataKey('s1', 'contact')), await added(keys, dataKey('s2', 'profile'))];
      const { makeKey, made } = newKeys();
      await keys.retireKeys(5_000, makeKey);
      const idsOf = (subjectHash: string, category?: string) =>
        [...old, ...made].filter((key) => key.subjectHash === subjectHash && (category === undefined || key.category === category)).map((key) => key.keyId).sort();

      assert.deepEqual((await keys.erase('s1', ['contact'], 6_000)).keyIds.sort(), idsOf('s1', 'contact'));
      assert.deepEqual((await keys.erase('s1', null, 7_000)).keyIds.sort(), idsOf('s1', 'profile'));
      assert.deepEqual(await keys.keysById(idsOf('s1')), []);
      assert.equal(await keys.currentKey('s1', 'profile'), undefined);
      assert.equal((await keys.keysById(idsOf('s2'))).length, 2);
    });

    define('an erased pair gets no new key, and retiring twice gives a pair its third key', async (keys) => {
      const first = await added(keys, dataKey('s1', 'profile'));
      await added(keys, dataKey('s2', 'profile'));
      await added(keys, dataKey('s2', 'contact'));
      await keys.erase('s2', ['contact'], 1_000);
      const { makeKey, made } = newKeys();
      assert.equal(await keys.retireKeys(2_000, makeKey), 2);
      assert.deepEqual(made.map(pairOf).sort(), ['s1/profile', 's2/profile']);
      await keys.erase('s2', null, 3_000);
      assert.equal(await keys.retireKeys(4_000, makeKey), 1);
      assert.equal(await keys.currentKey('s2', 'profile'), undefined);
      assert.equal(await keys.addKey(dataKey('s2', 'contact')), 'erased');

      const [second, third] = made.filter((key) => key.subjectHash === 's1');
      assert.deepEqual(await keys.currentKey('s1', 'profile'), third);
      assert.deepEqual(sortById(await keys.keysById([first.keyId, second!.keyId, third!.keyId])), sortById([first, second!, third!]));
    });

    define('a retiring whose makeKey throws, or makes a key of another pair, changes no key', async (keys) => {
      const all = [await added(keys, dataKey('s1', 'profile')), await added(keys, dataKey('s2', 'profile'))];
      let calls = 0;
      const failing = (pair: KeyPair) => {
        if (++calls === 2) throw new Error('the key-encryption key is gone');
        return dataKey(pair.subjectHash, pair.category);
      };
      await assert.rejects(keys.retireKeys(1_000, failing), /key-encryption key is gone/);
      await assert.rejects(keys.retireKeys(1_000, () => dataKey('s3', 'profile')), /belong to the pair/);
      for (const key of all) assert.deepEqual(await keys.currentKey(key.subjectHash, key.category), key);
    });

    define('an addKey of a new pair beside a retiring is stored, and its pair has a current key', async (keys) => {
      const old = await added(keys, dataKey('s1', 'profile'));
      const fresh = dataKey('s9', 'profile');
      const { makeKey, made } = newKeys();
      const [rotated, answer] = await Promise.all([keys.retireKeys(1_000, makeKey), keys.addKey(fresh)]);
      assert.deepEqual(answer, fresh);
      assert.deepEqual(await keys.keysById([fresh.keyId]), [fresh]);
      // Stored before the retiring, it was retired too and its pair given a new key; after, it is current.
      const s9 = made.find((key) => key.subjectHash === 's9');
      assert.equal(rotated, s9 === undefined ? 1 : 2);
      assert.deepEqual(await keys.currentKey('s9', 'profile'), s9 ?? fresh);
      assert.notEqual((await keys.currentKey('s1', 'profile'))!.keyId, old.keyId);
    });

    define('positions are given back in increasing order, each once', async (keys) => {
      await keys.indexSubjects([
        { subjectHash: 'a', position: 5 },
        { subjectHash: 'a', position: 2 },
        { subjectHash: 'b', position: 3 },
        { subjectHash: 'a', position: 5 },
      ]);
      await keys.indexSubjects([{ subjectHash: 'a', position: 2 }, { subjectHash: 'a', position: 9 }]);
      await keys.indexSubjects([]);
      assert.deepEqual(await keys.positionsOf('a'), [2, 5, 9]);
      assert.deepEqual(await keys.positionsOf('b'), [3]);
      assert.deepEqual(await keys.positionsOf('c'), []);
    });

    define('exported keys import into another key storage as they were, current and retired; an erased pair stays out, a key there already is passed over', async (keys) => {
      const profile = await added(keys, dataKey('s1', 'profile'));
      const contact = await added(keys, dataKey('s2', 'contact'));
      const { makeKey, made } = newKeys();
      await keys.retireKeys(1_700_000_002_000, makeKey);
      const exported = await keys.exportKeys();
      assert.deepEqual(exported.map((k) => k.keyId), [profile, contact, ...made].map((k) => k.keyId).sort(), 'every key, in key id order');
      const retiredAt = (keyId: string) => exported.find((k) => k.keyId === keyId)!.retiredAt;
      assert.deepEqual([retiredAt(profile.keyId), retiredAt(contact.keyId)], [1_700_000_002_000, 1_700_000_002_000]);
      assert.deepEqual(made.map((k) => retiredAt(k.keyId)), [null, null]);

      const target = await open();
      try {
        await target.applyErased([{ subjectHash: 's2', category: null, erasedAt: 5 }]);
        assert.equal(await target.importKeys(exported), 2, "s1's retired and current key; s2 is erased there");
        assert.deepEqual(await target.exportKeys(), exported.filter((k) => k.subjectHash === 's1'));
        assert.deepEqual((await target.currentKey('s1', 'profile'))?.keyId, made.find((k) => k.subjectHash === 's1')!.keyId);
        assert.equal(await target.importKeys(exported), 0, 'run again, nothing new');
      } finally {
        await target.close();
      }

      const holder = await open();
      try {
        const own = await added(holder, dataKey('s1', 'profile'));
        await assert.rejects(holder.importKeys(exported), { code: 'VALIDATION_FAILED' });
        assert.deepEqual((await holder.exportKeys()).map((k) => k.keyId), [own.keyId], 'a refused import stores nothing');
      } finally {
        await holder.close();
      }
    });

    define('a closed key storage refuses calls', async (keys) => {
      await keys.close();
      await assert.rejects(keys.getSetting('check'), { code: 'STORE_CLOSED' });
      await assert.rejects(keys.addKey(dataKey('s1', 'profile')), { code: 'STORE_CLOSED' });
    });

    const reopen = 'a key storage opened again holds everything it held';
    const persistent = options.persistent;
    const skipped = options.skip?.find((s) => s.test === reopen);
    if (skipped || !persistent) {
      test(reopen, { skip: skipped?.reason ?? `the ${name} key storage lives and dies with its object` }, () => {});
    } else {
      test(reopen, async () => {
        const openAgain = await persistent();
        const key = dataKey('s1', 'profile');
        const { makeKey, made } = newKeys();
        const first = await openAgain();
        try {
          await first.initSetting('check', 'kek-1');
          await first.addKey(key);
          await first.addKey(dataKey('s2', 'profile'));
          await first.erase('s2', null, 500);
          await first.indexSubjects([{ subjectHash: 's1', position: 8 }]);
          await first.retireKeys(600, makeKey);
        } finally {
          await first.close();
        }
        const second = await openAgain();
        try {
          assert.equal(await second.getSetting('check'), 'kek-1');
          assert.deepEqual(await second.currentKey('s1', 'profile'), made[0]);
          assert.deepEqual(await second.keysById([key.keyId]), [key], 'the retired key');
          assert.deepEqual(await second.erasedEntries(), [{ subjectHash: 's2', category: null, erasedAt: 500 }]);
          assert.equal(await second.addKey(dataKey('s2', 'profile')), 'erased');
          assert.deepEqual(await second.positionsOf('s1'), [8]);
        } finally {
          await second.close();
        }
      });
    }
  });
}

/** A data key as the privacy part would store it, with an id and a wrapping of its own. */
function dataKey(subjectHash: string, category: string): StoredDataKey {
  const keyId = randomUUID();
  return { keyId, subjectHash, category, wrapped: Buffer.from(`sealed ${keyId}`).toString('base64'), kekId: 'kek-1', createdAt: 1_700_000_000_000 };
}

async function added(keys: KeyStorage, key: StoredDataKey): Promise<StoredDataKey> {
  const answer = await keys.addKey(key);
  assert.notEqual(answer, 'erased');
  return answer as StoredDataKey;
}

/** A makeKey for retireKeys that makes a key as dataKey does and remembers each one. */
function newKeys(): { makeKey: (pair: KeyPair) => StoredDataKey; made: StoredDataKey[] } {
  const made: StoredDataKey[] = [];
  const makeKey = ({ subjectHash, category }: KeyPair) => {
    const key = { ...dataKey(subjectHash, category), createdAt: 1_700_000_001_000 };
    made.push(key);
    return key;
  };
  return { makeKey, made };
}

const pairOf = (key: StoredDataKey) => `${key.subjectHash}/${key.category}`;

function sortById(keys: StoredDataKey[]): StoredDataKey[] {
  return [...keys].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
}
