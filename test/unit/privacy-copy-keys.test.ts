// Copying a key storage, told on memory key storages: the keys, the ledger and the
// settings that tie them to their KEK arrive as they were; a key storage of another KEK,
// or the source itself, is refused before anything is written.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { copyKeyStorage, openKeyStorage, openKeyring, type KeyStorage } from '../../src/index.js';

/** A key storage under a KEK of its own, with one subject's key. */
async function keysOfOneSubject(): Promise<KeyStorage> {
  const storage = await openKeyStorage('memory:');
  const keyring = await openKeyring(storage, randomBytes(32));
  await keyring.keyFor('author-1', 'profile');
  return storage;
}

test('a copy carries every key and the settings, and run again adds nothing', async () => {
  const from = await keysOfOneSubject();
  const to = await openKeyStorage('memory:');
  await from.erase('gone', null, 1);
  assert.deepEqual(await copyKeyStorage(from, to), { settings: 2, erased: 1, keys: 1 });
  assert.deepEqual(await to.exportKeys(), await from.exportKeys());
  assert.deepEqual(await to.erasedEntries(), await from.erasedEntries());
  assert.equal(await to.getSetting('kek-check'), await from.getSetting('kek-check'));
  assert.deepEqual(await copyKeyStorage(from, to), { settings: 2, erased: 1, keys: 0 });
});

test('a key storage of another KEK, or the source itself, is refused and nothing is written', async () => {
  const from = await keysOfOneSubject();
  const other = await keysOfOneSubject();
  const held = await other.exportKeys();
  await assert.rejects(copyKeyStorage(from, other), { code: 'VALIDATION_FAILED', message: /holds another kek-check/ });
  assert.deepEqual(await other.exportKeys(), held);
  assert.deepEqual(await other.erasedEntries(), []);
  await assert.rejects(copyKeyStorage(from, from), { code: 'VALIDATION_FAILED', message: /the same key storage/ });
});
