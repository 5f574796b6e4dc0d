// The keyring over a key storage: one current data key per (subject, category), opened
// only under the KEK the storage was sealed with; a forgotten subject loses its keys and
// never gets one again; rotation re-wraps every key under a new KEK without touching an
// event, and rotating data keys gives new appends new keys while the old ones still open.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isEventlineError, KeyEncryptionKeyError, SubjectErasedError, ValidationError } from '../../src/core/errors.js';
import { definePersonalData, openField, openKeyring, sealField } from '../../src/privacy/index.js';
import { inspectableKeyStorage } from './privacy-inspectable-key-storage.js';

const SUBJECT_ID = 'author-17';
const OTHER_ID = 'user-4';

async function freshKeyring() {
  const storage = inspectableKeyStorage();
  const kek = randomBytes(32);
  return { storage, kek, keyring: await openKeyring(storage, kek) };
}

test('given a key storage sealed with one KEK, when it is opened with another, then it is refused as wrong and nothing is written', async () => {
  const { storage, kek } = await freshKeyring();
  const before = await storage.dump();
  await assert.rejects(openKeyring(storage, randomBytes(32)), (error) => {
    assert.ok(error instanceof KeyEncryptionKeyError && error.reason === 'wrong' && error.code === 'KEK_INVALID');
    assert.ok(!error.message.includes(kek.toString('base64')));
    return true;
  });
  assert.equal(await storage.dump(), before);
  await assert.rejects(openKeyring(storage, randomBytes(31)), (e) => e instanceof KeyEncryptionKeyError && e.reason === 'malformed');
});

test('given a keyring, when a subject needs a key for a category, then it gets one key, the same each time and after reopening', async () => {
  const { storage, kek, keyring } = await freshKeyring();
  const first = await keyring.keyFor(SUBJECT_ID, 'contact');
  assert.equal(first.key.length, 32);
  assert.deepEqual(await keyring.keyFor(SUBJECT_ID, 'contact'), first);
  const reopened = await openKeyring(storage, kek);
  assert.equal(reopened.hashOf(SUBJECT_ID), keyring.hashOf(SUBJECT_ID));
  assert.deepEqual(await reopened.keyFor(SUBJECT_ID, 'contact'), first);
  assert.deepEqual((await reopened.keysById([first.keyId])).get(first.keyId), first.key);
});

test('given several appends at once for a new subject, when each asks for its key, then all get the one key that was stored first', async () => {
  const { storage, kek, keyring } = await freshKeyring();
  const elsewhere = await openKeyring(storage, kek);
  const keys = await Promise.all([keyring, elsewhere, keyring, elsewhere].map((ring) => ring.keyFor(SUBJECT_ID, 'contact')));
  assert.ok(keys.every((k) => k.keyId === keys[0]!.keyId && k.key.equals(keys[0]!.key)));
});

test('given two subjects, or two categories of one subject, then each gets its own key', async () => {
  const { keyring } = await freshKeyring();
  const keys = [await keyring.keyFor(SUBJECT_ID, 'contact'), await keyring.keyFor(SUBJECT_ID, 'profile'), await keyring.keyFor(OTHER_ID, 'contact')];
  assert.equal(new Set(keys.map((k) => k.keyId)).size, 3);
  assert.equal(new Set(keys.map((k) => k.key.toString('hex'))).size, 3);
});

test('given keys handed out, then key ids name the subject by its hash and the storage holds no subject id and no key in the clear', async () => {
  const { storage, keyring } = await freshKeyring();
  const { keyId, key } = await keyring.keyFor(SUBJECT_ID, 'contact');
  assert.equal(keyId.split('.')[0], keyring.hashOf(SUBJECT_ID));
  assert.match(keyring.hashOf(SUBJECT_ID), /^[0-9a-f]{32}$/);
  const dump = await storage.dump();
  for (const secret of [SUBJECT_ID, key.toString('base64'), key.toString('hex')]) assert.ok(!dump.includes(secret));
});

test('given an event that names two people, when its fields are sealed and opened, then each opens with its own subject key', async () => {
  const { keyring } = await freshKeyring();
  const personalData = definePersonalData({
    ReviewAssigned: [
      { path: 'authorName', subject: (event) => event.data.authorId, category: 'profile' },
      { path: 'reviewerName', subject: (event) => event.data.reviewerId, category: 'profile' },
    ],
  });
  const event = { type: 'ReviewAssigned', data: { authorId: SUBJECT_ID, reviewerId: OTHER_ID, authorName: 'Ada', reviewerName: 'Grace' } };
  const sealed: Record<string, unknown> = { ...event.data };
  for (const field of personalData.fieldsOf(event.type)) {
    const { keyId, key } = await keyring.keyFor(field.subjectOf(event), field.category);
    sealed[field.path] = sealField(event.data[field.path as 'authorName' | 'reviewerName'], { key, kid: keyId, eventId: 'evt-1', path: field.path });
  }
  const [author, reviewer] = [sealed.authorName as { kid: string }, sealed.reviewerName as { kid: string }];
  assert.notEqual(author.kid, reviewer.kid);
  const keys = await keyring.keysById([author.kid, reviewer.kid]);
  assert.equal(openField(author, { key: keys.get(author.kid)!, eventId: 'evt-1', path: 'authorName' }), 'Ada');
  assert.equal(openField(reviewer, { key: keys.get(reviewer.kid)!, eventId: 'evt-1', path: 'reviewerName' }), 'Grace');
});

test('given a forgotten subject, then its keys are gone, a new key for it is refused by hash, and other subjects are untouched', async () => {
  const { keyring } = await freshKeyring();
  const contact = await keyring.keyFor(SUBJECT_ID, 'contact');
  const profile = await keyring.keyFor(SUBJECT_ID, 'profile');
  const other = await keyring.keyFor(OTHER_ID, 'contact');

  const result = await keyring.forget(SUBJECT_ID);
  assert.equal(result.subjectHash, keyring.hashOf(SUBJECT_ID));
  assert.equal(result.categories, null);
  assert.deepEqual([...result.keyIds].sort(), [contact.keyId, profile.keyId].sort());

  const found = await keyring.keysById([contact.keyId, profile.keyId, other.keyId]);
  assert.deepEqual([...found.keys()], [other.keyId]);
  assert.deepEqual(found.get(other.keyId), other.key);
  await assert.rejects(keyring.keyFor(SUBJECT_ID, 'contact'), (error) => {
    assert.ok(error instanceof SubjectErasedError && isEventlineError(error));
    assert.equal(error.code, 'SUBJECT_ERASED');
    assert.equal(error.subjectHash, keyring.hashOf(SUBJECT_ID));
    assert.equal(error.category, 'contact');
    assert.ok(error.message.includes(error.subjectHash) && !error.message.includes(SUBJECT_ID));
    return true;
  });
  await assert.rejects(keyring.keyFor(SUBJECT_ID, 'billing'), SubjectErasedError, 'every category, also one never used');
  assert.deepEqual(await keyring.keyFor(OTHER_ID, 'contact'), other);
});

test('given a subject forgotten once, when it is forgotten again, then nothing more is deleted and nothing fails', async () => {
  const { storage, keyring } = await freshKeyring();
  await keyring.keyFor(SUBJECT_ID, 'contact');
  assert.equal((await keyring.forget(SUBJECT_ID)).keyIds.length, 1);
  const again = await keyring.forget(SUBJECT_ID);
  assert.deepEqual(again.keyIds, []);
  assert.equal((await storage.erasedEntries()).length, 1);
});

test('given one category forgotten, then only that category is refused and the others keep their keys', async () => {
  const { keyring } = await freshKeyring();
  const contact = await keyring.keyFor(SUBJECT_ID, 'contact');
  const profile = await keyring.keyFor(SUBJECT_ID, 'profile');
  const result = await keyring.forget(SUBJECT_ID, { categories: ['contact'] });
  assert.deepEqual(result.categories, ['contact']);
  assert.deepEqual(result.keyIds, [contact.keyId]);
  await assert.rejects(keyring.keyFor(SUBJECT_ID, 'contact'), SubjectErasedError);
  assert.deepEqual(await keyring.keyFor(SUBJECT_ID, 'profile'), profile);
  await assert.rejects(keyring.forget(SUBJECT_ID, { categories: [] }), ValidationError);
  await assert.rejects(keyring.forget(SUBJECT_ID, { categories: ['Contact'] }), ValidationError);
});

test('given two processes on one key storage, when one forgets a subject, then the other reads it as forgotten at once, and refuses its appends once its current-key cache has passed', async () => {
  const { storage, kek, keyring } = await freshKeyring();
  const elsewhere = await openKeyring(storage, kek, { currentKeyCacheMs: 50 });
  const { keyId } = await elsewhere.keyFor(SUBJECT_ID, 'contact');
  assert.equal((await elsewhere.keysById([keyId])).size, 1);
  await keyring.forget(SUBJECT_ID);
  assert.equal((await elsewhere.keysById([keyId])).size, 0, 'reads ask the key storage every time');
  // Within the moment, an append seals under the key that is gone: it reads as erased everywhere.
  const late = await elsewhere.keyFor(SUBJECT_ID, 'contact');
  assert.equal(late.keyId, keyId);
  assert.equal((await keyring.keysById([late.keyId])).size, 0);
  await new Promise((resolve) => setTimeout(resolve, 60));
  await assert.rejects(elsewhere.keyFor(SUBJECT_ID, 'contact'), SubjectErasedError);
});

test('given a keyring that asks on every append, when another process forgets a subject, then its next append is refused at once', async () => {
  const { storage, kek, keyring } = await freshKeyring();
  const elsewhere = await openKeyring(storage, kek, { currentKeyCacheMs: 0 });
  await elsewhere.keyFor(SUBJECT_ID, 'contact');
  await keyring.forget(SUBJECT_ID);
  await assert.rejects(elsewhere.keyFor(SUBJECT_ID, 'contact'), SubjectErasedError);
});

test('given a keyring with a current key cached, when it forgets the subject itself, then its next append is refused at once', async () => {
  const { keyring } = await freshKeyring();
  await keyring.keyFor(SUBJECT_ID, 'contact');
  await keyring.forget(SUBJECT_ID, { categories: ['contact'] });
  await assert.rejects(keyring.keyFor(SUBJECT_ID, 'contact'), SubjectErasedError);
  assert.ok((await keyring.keyFor(SUBJECT_ID, 'profile')).keyId.includes('.profile.'));
});

test('given an email-shaped subject id, then neither a key nor a forget is done with it, and it is not echoed', async () => {
  const { keyring } = await freshKeyring();
  for (const run of [() => keyring.keyFor('ada@example.org', 'contact'), () => keyring.forget('ada@example.org'), async () => keyring.hashOf('ada@example.org')]) {
    await assert.rejects(run(), (e) => e instanceof ValidationError && !e.message.includes('ada@example.org'));
  }
  await assert.rejects(keyring.keyFor(SUBJECT_ID, 'Contact'), (e) => e instanceof ValidationError && e.field === 'category');
});

test('given keys of several subjects, when the KEK is rotated, then every key opens under the new KEK, events need no change, and the old KEK is refused', async () => {
  const { storage, kek, keyring } = await freshKeyring();
  const keys = [await keyring.keyFor(SUBJECT_ID, 'contact'), await keyring.keyFor(SUBJECT_ID, 'profile'), await keyring.keyFor(OTHER_ID, 'contact')];
  const envelope = sealField('Ada', { key: keys[0]!.key, kid: keys[0]!.keyId, eventId: 'evt-1', path: 'name' });
  const hash = keyring.hashOf(SUBJECT_ID);

  const newKek = randomBytes(32);
  const result = await keyring.rotate(newKek);
  assert.equal(result.rewrapped, 3);
  assert.equal(result.kekId, keyring.kekId);
  assert.ok(!(await storage.dump()).includes(newKek.toString('base64')));

  const reopened = await openKeyring(storage, newKek);
  assert.equal(reopened.hashOf(SUBJECT_ID), hash, 'the subject secret survives rotation');
  const found = await reopened.keysById(keys.map((k) => k.keyId));
  for (const { keyId, key } of keys) assert.deepEqual(found.get(keyId), key);
  assert.equal(openField(envelope, { key: found.get(keys[0]!.keyId)!, eventId: 'evt-1', path: 'name' }), 'Ada');
  assert.deepEqual(await keyring.keyFor(SUBJECT_ID, 'contact'), keys[0], 'the rotating keyring goes on under the new KEK');

  await assert.rejects(openKeyring(storage, kek), (e) => e instanceof KeyEncryptionKeyError && e.reason === 'wrong');
});

test('given a rotation, when a key is made afterwards, then it is wrapped under the new KEK and opens after reopening', async () => {
  const { storage, keyring } = await freshKeyring();
  const newKek = randomBytes(32);
  await keyring.rotate(newKek);
  const fresh = await keyring.keyFor(SUBJECT_ID, 'contact');
  const reopened = await openKeyring(storage, newKek);
  assert.deepEqual((await reopened.keysById([fresh.keyId])).get(fresh.keyId), fresh.key);
});

test('given a rotation that stopped after the keys were re-wrapped, when it is run again from the old KEK, then it finishes and only the new KEK opens', async () => {
  const { storage, kek, keyring } = await freshKeyring();
  const before = await keyring.keyFor(SUBJECT_ID, 'contact');
  const newKek = randomBytes(32);
  // The process dies between re-wrapping the keys and recording the new KEK's settings.
  const setSetting = storage.setSetting;
  storage.setSetting = async () => {
    throw new Error('process stopped');
  };
  await assert.rejects(keyring.rotate(newKek), /process stopped/);
  storage.setSetting = setSetting;

  const restarted = await openKeyring(storage, kek);
  await assert.rejects(restarted.keysById([before.keyId]), (e) => e instanceof KeyEncryptionKeyError && e.reason === 'wrong', 'a key under the new KEK is named, not misread');
  assert.equal((await restarted.rotate(newKek)).rewrapped, 1);
  const reopened = await openKeyring(storage, newKek);
  assert.deepEqual((await reopened.keysById([before.keyId])).get(before.keyId), before.key);
  await assert.rejects(openKeyring(storage, kek), KeyEncryptionKeyError);
});

test('given keys in use, when data keys are rotated, then a new seal uses a new key and what was sealed before still opens', async () => {
  const { storage, kek, keyring } = await freshKeyring();
  const before = [await keyring.keyFor(SUBJECT_ID, 'contact'), await keyring.keyFor(SUBJECT_ID, 'profile'), await keyring.keyFor(OTHER_ID, 'contact')];
  const envelope = sealField('Ada', { key: before[0]!.key, kid: before[0]!.keyId, eventId: 'evt-1', path: 'email' });

  assert.deepEqual(await keyring.rotateDataKeys(), { rotated: 3 });
  const after = [await keyring.keyFor(SUBJECT_ID, 'contact'), await keyring.keyFor(SUBJECT_ID, 'profile'), await keyring.keyFor(OTHER_ID, 'contact')];
  for (const [i, key] of after.entries()) {
    assert.notEqual(key.keyId, before[i]!.keyId, 'the current key is served no more, though it was cached');
    assert.ok(!key.key.equals(before[i]!.key));
  }
  const sealed = sealField('Ada Lovelace', { key: after[0]!.key, kid: after[0]!.keyId, eventId: 'evt-2', path: 'email' });
  assert.notEqual(sealed.kid, envelope.kid);

  const reopened = await openKeyring(storage, kek);
  assert.equal((await reopened.keyFor(SUBJECT_ID, 'contact')).keyId, after[0]!.keyId, 'another process, once its cache has passed, gets the new key');
  const found = await reopened.keysById([envelope.kid, sealed.kid]);
  assert.equal(openField(envelope, { key: found.get(envelope.kid)!, eventId: 'evt-1', path: 'email' }), 'Ada');
  assert.equal(openField(sealed, { key: found.get(sealed.kid)!, eventId: 'evt-2', path: 'email' }), 'Ada Lovelace');
  assert.ok(!(await storage.dump()).includes(after[0]!.key.toString('base64')), 'the new keys are stored wrapped');
});

test('given data keys rotated, when the subject is forgotten, then its retired and its new keys are gone', async () => {
  const { keyring } = await freshKeyring();
  const old = await keyring.keyFor(SUBJECT_ID, 'contact');
  const other = await keyring.keyFor(OTHER_ID, 'contact');
  await keyring.rotateDataKeys();
  const fresh = await keyring.keyFor(SUBJECT_ID, 'contact');

  const { keyIds } = await keyring.forget(SUBJECT_ID);
  assert.deepEqual([...keyIds].sort(), [old.keyId, fresh.keyId].sort());
  assert.deepEqual([...(await keyring.keysById([old.keyId, fresh.keyId, other.keyId])).keys()], [other.keyId]);
  await assert.rejects(keyring.keyFor(SUBJECT_ID, 'contact'), SubjectErasedError);
});

test('given a subject forgotten, when data keys are rotated, then it is given no key, and rotating again gives the others a third', async () => {
  const { keyring } = await freshKeyring();
  await keyring.keyFor(SUBJECT_ID, 'contact');
  const first = await keyring.keyFor(OTHER_ID, 'contact');
  await keyring.forget(SUBJECT_ID);
  assert.deepEqual(await keyring.rotateDataKeys(), { rotated: 1 });
  await assert.rejects(keyring.keyFor(SUBJECT_ID, 'contact'), SubjectErasedError);
  const second = await keyring.keyFor(OTHER_ID, 'contact');
  assert.deepEqual(await keyring.rotateDataKeys(), { rotated: 1 });
  const third = await keyring.keyFor(OTHER_ID, 'contact');
  assert.equal(new Set([first.keyId, second.keyId, third.keyId]).size, 3);
  assert.equal((await keyring.keysById([first.keyId, second.keyId, third.keyId])).size, 3);
});

test('given data keys rotated, when the KEK is rotated, then the retired keys are re-wrapped too and still open', async () => {
  const { storage, keyring } = await freshKeyring();
  const old = await keyring.keyFor(SUBJECT_ID, 'contact');
  await keyring.rotateDataKeys();
  const fresh = await keyring.keyFor(SUBJECT_ID, 'contact');
  const newKek = randomBytes(32);
  assert.equal((await keyring.rotate(newKek)).rewrapped, 2);
  const found = await (await openKeyring(storage, newKek)).keysById([old.keyId, fresh.keyId]);
  assert.deepEqual([found.get(old.keyId), found.get(fresh.keyId)], [old.key, fresh.key]);
});

test('given a cache of one key, when many keys are used in turn, then each is still the right key', async () => {
  const storage = inspectableKeyStorage();
  const kek = randomBytes(32);
  const keyring = await openKeyring(storage, kek, { cacheSize: 1 });
  const subjects = ['s-1', 's-2', 's-3'];
  const keys = await Promise.all(subjects.map((subject) => keyring.keyFor(subject, 'profile')));
  const found = await keyring.keysById(keys.map((k) => k.keyId));
  for (const { keyId, key } of keys) assert.deepEqual(found.get(keyId), key);
  await assert.rejects(openKeyring(storage, kek, { cacheSize: -1 }), ValidationError);
});
