// Personal data through a store with the personal-data guard: sealed as it is appended,
// in the clear as it is read (every read path), and once a subject is forgotten, that
// subject's fields read as the erased marker while everything else reads as before.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EnvelopeError, SubjectErasedError, ValidationError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import { openEventStore, openStorage } from '../../src/open/open-store.js';
import { definePersonalData, isEnvelope, isErased, openField, openKeyring, personalDataGuard } from '../../src/privacy/index.js';
import { createEventStore, type EventStore } from '../../src/store/event-store.js';
import { inspectableKeyStorage } from './privacy-inspectable-key-storage.js';

const AUTHOR = 'author-1';
const REVIEWER = 'user-2';
const ADA = 'Ada Canary-7f3e';
const GRACE = 'Grace Canary-91c2';
const GRACE_EMAIL = 'grace.canary-91c2@example.org';

const personalData = definePersonalData({
  ReviewAssigned: [
    { path: 'author.name', subject: (event) => (event.data.author as { id: string }).id, category: 'profile' },
    { path: 'reviewerName', subject: (event) => event.data.reviewerId, category: 'profile' },
    { path: 'reviewerEmail', subject: (event) => event.data.reviewerId, category: 'contact' },
  ],
});

const reviewAssigned = (authorId = AUTHOR) => ({
  type: 'ReviewAssigned',
  data: { postId: 'post-1', author: { id: authorId, name: ADA }, reviewerId: REVIEWER, reviewerName: GRACE, reviewerEmail: GRACE_EMAIL },
});
const postPublished = { type: 'PostPublished', data: { postId: 'post-1', title: 'Hello' } };

/** A guarded store and, over the same storage, one without the guard: it shows what is stored. */
async function given() {
  const keyring = await openKeyring(inspectableKeyStorage(), randomBytes(32));
  const storage = await openStorage('memory:');
  const store = createEventStore(storage, { payloads: personalDataGuard(personalData, keyring) });
  const raw = createEventStore(storage);
  return { keyring, store, raw };
}

async function readAll(store: EventStore): Promise<RecordedEvent[]> {
  const events = [];
  for await (const event of store.readAll({ batchSize: 2 })) events.push(event);
  return events;
}

async function viaSubscription(store: EventStore, count: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let enough!: () => void;
  const reached = new Promise<void>((resolve) => (enough = resolve));
  const subscription = store.subscribe({
    batchSize: 2,
    handler: (event) => {
      events.push(event);
      if (events.length === count) enough();
    },
  });
  await reached;
  await subscription.stop();
  return events;
}

async function foldNames(store: EventStore, streamId: string) {
  return store.foldStream(streamId, [] as unknown[], (names, event) =>
    event.type === 'ReviewAssigned' ? [...names, (event.data as { author: { name: unknown } }).author.name, (event.data as { reviewerName: unknown }).reviewerName] : names,
  );
}

test('given an event naming two people, when it is appended, then it is stored sealed and every read hands it out in the clear', async () => {
  const { store, raw } = await given();
  const event = reviewAssigned();
  const before = structuredClone(event);
  await store.appendToStream('post-1', [event, postPublished, reviewAssigned()]);
  assert.deepEqual(event, before, "the caller's event is not changed");

  const stored = await raw.readStream('post-1');
  const text = JSON.stringify(stored);
  for (const canary of [ADA, GRACE, GRACE_EMAIL]) assert.ok(!text.includes(canary), `${canary} is not stored in the clear`);
  const sealed = stored[0]!.data as { author: { id: string; name: unknown }; reviewerName: unknown; postId: string };
  assert.ok(isEnvelope(sealed.author.name) && isEnvelope(sealed.reviewerName));
  assert.equal(sealed.author.id, AUTHOR, 'the subject id stays in the clear, as does every field not declared');
  assert.equal(sealed.postId, 'post-1');
  assert.deepEqual(stored[1]!.data, postPublished.data, 'an event of a type not declared is stored as it is');

  const expected = [event.data, postPublished.data, event.data];
  assert.deepEqual((await store.readStream('post-1')).map((e) => e.data), expected);
  assert.deepEqual((await store.readStream('post-1', { direction: 'backward' })).map((e) => e.data), [...expected].reverse());
  assert.deepEqual((await readAll(store)).map((e) => e.data), expected);
  assert.deepEqual((await store.readAllPage()).map((e) => e.data), expected);
  assert.deepEqual((await viaSubscription(store, 3)).map((e) => e.data), expected);
  const fold = await foldNames(store, 'post-1');
  assert.deepEqual(fold.state, [ADA, GRACE, ADA, GRACE]);
  assert.equal(fold.events, 3);
  await store.close();
});

test('given a subject forgotten, when its events are read, then its fields read as erased everywhere and the other person reads as before', async () => {
  const { keyring, store } = await given();
  await store.appendToStream('post-1', [reviewAssigned(), postPublished]);
  await keyring.forget(AUTHOR);

  const check = (events: RecordedEvent[]) => {
    const data = events[0]!.data as { author: { id: string; name: unknown }; reviewerName: unknown; reviewerEmail: unknown };
    assert.ok(isErased(data.author.name), "the forgotten author's name reads as the erased marker");
    assert.equal(data.author.id, AUTHOR);
    assert.equal(data.reviewerName, GRACE);
    assert.equal(data.reviewerEmail, GRACE_EMAIL);
    assert.deepEqual(events[1]!.data, postPublished.data);
  };
  check(await store.readStream('post-1'));
  check(await readAll(store));
  check(await store.readAllPage());
  check(await viaSubscription(store, 2));
  const fold = await foldNames(store, 'post-1');
  assert.ok(isErased(fold.state[0]));
  assert.equal(fold.state[1], GRACE);
  await store.close();
});

test('given one category of a subject forgotten, then only its fields read as erased, and only its data is refused', async () => {
  const { keyring, store } = await given();
  await store.appendToStream('post-1', [reviewAssigned()]);
  await keyring.forget(REVIEWER, { categories: ['contact'] });
  const [event] = await store.readStream('post-1');
  const data = event!.data as { reviewerName: unknown; reviewerEmail: unknown };
  assert.equal(data.reviewerName, GRACE);
  assert.ok(isErased(data.reviewerEmail));
  await assert.rejects(store.appendToStream('post-1', [reviewAssigned()]), (error) => error instanceof SubjectErasedError && error.category === 'contact');
  const { reviewerEmail: _left, ...withoutEmail } = reviewAssigned().data;
  await store.appendToStream('post-1', [{ type: 'ReviewAssigned', data: withoutEmail }], { expectedVersion: 1 });
  await store.close();
});

test('given a subject forgotten, when personal data of it is appended, then the append is refused and nothing is written', async () => {
  const { keyring, store } = await given();
  await store.appendToStream('post-1', [reviewAssigned()]);
  await keyring.forget(AUTHOR);
  await assert.rejects(store.appendToStream('post-1', [postPublished, reviewAssigned()]), SubjectErasedError);
  assert.equal((await store.readStream('post-1')).length, 1, 'the stream is still at version 1');
  assert.equal(await store.headPosition(), 1);
  // Another person's data, and events without personal data, are still written.
  const result = await store.appendToStream('post-1', [postPublished, reviewAssigned('author-3')], { expectedVersion: 1 });
  assert.equal(result.nextExpectedVersion, 3);
  await store.close();
});

test('given an append with ids of its own, then each field is sealed bound to that id, and a retry is answered as before', async () => {
  const { keyring, store, raw } = await given();
  const eventId = randomUUID().toUpperCase();
  const event = { ...reviewAssigned(), eventId };
  const first = await store.appendToStream('post-1', [event]);
  const [stored] = await raw.readStream('post-1');
  assert.equal(stored!.eventId, eventId.toLowerCase());
  const envelope = (stored!.data as { reviewerName: { kid: string } }).reviewerName;
  const key = (await keyring.keysById([envelope.kid])).get(envelope.kid)!;
  assert.equal(openField(envelope, { key, eventId: eventId.toLowerCase(), path: 'reviewerName' }), GRACE);
  assert.deepEqual(await store.appendToStream('post-1', [event]), first, 'an exact retry');
  assert.equal((await store.readStream('post-1')).length, 1);
  await store.close();
});

test('given an envelope copied into another event, or altered, when it is read, then it is an EnvelopeError, neither data nor erased', async () => {
  const { store, raw } = await given();
  await store.appendToStream('post-1', [reviewAssigned()]);
  const [stored] = await raw.readStream('post-1');
  const sealed = stored!.data as { author: { id: string; name: { ct: string } } };
  await raw.appendToStream('post-2', [{ type: 'ReviewAssigned', data: { ...sealed } }]);
  await assert.rejects(store.readStream('post-2'), (error) => error instanceof EnvelopeError && error.reason === 'authentication' && error.path === 'author.name');
  await assert.rejects(store.foldStream('post-2', 0, (n) => n + 1), EnvelopeError);
  const ct = Buffer.from(sealed.author.name.ct, 'base64');
  ct[0]! ^= 1;
  const altered = { ...sealed, author: { ...sealed.author, name: { ...sealed.author.name, ct: ct.toString('base64') } } };
  await raw.appendToStream('post-3', [{ type: 'ReviewAssigned', data: altered }]);
  await assert.rejects(store.readStream('post-3'), (error) => error instanceof EnvelopeError && !String(error.message).includes(ADA));
  assert.deepEqual((await store.readStream('post-1'))[0]!.data, reviewAssigned().data, 'the original still reads');
  await store.close();
});

test('given events of a declared type written in the clear before it was declared, or with a personal field absent, then they read as they are', async () => {
  const { store, raw } = await given();
  await raw.appendToStream('post-1', [reviewAssigned()]);
  const partial = { type: 'ReviewAssigned', data: { postId: 'post-1', author: { id: AUTHOR }, reviewerId: REVIEWER, reviewerName: GRACE } };
  await store.appendToStream('post-1', [partial]);
  const [old, read] = await store.readStream('post-1');
  assert.deepEqual(old!.data, reviewAssigned().data);
  assert.deepEqual(read!.data, partial.data);
  const [, stored] = await raw.readStream('post-1');
  assert.ok(!('reviewerEmail' in (stored!.data as object)) && !('name' in (stored!.data as { author: object }).author));
  await store.close();
});

test('given append hooks and inTransaction, then they see the events just appended in the clear', async () => {
  const { store } = await given();
  const seen: unknown[] = [];
  store.addAppendHook(async (events) => void seen.push(...events.map((e) => e.data)));
  await store.appendToStream('post-1', [reviewAssigned()], { inTransaction: async (events) => void seen.push(...events.map((e) => e.data)) });
  assert.deepEqual(seen, [reviewAssigned().data, reviewAssigned().data]);
  await store.close();
});

test('given a stream longer than a fold page, when some pages hold personal data and some do not, then the fold reads each right', async () => {
  const { keyring, store } = await given();
  // Versions 1 and 2001 are personal; the fold reads pages of 1000, so the middle page holds none.
  await store.appendToStream('post-1', [reviewAssigned()]);
  for (let i = 0; i < 4; i++) await store.appendToStream('post-1', Array.from({ length: 500 }, () => postPublished));
  await store.appendToStream('post-1', [reviewAssigned('author-3')]);
  await keyring.forget('author-3');
  const fold = await foldNames(store, 'post-1');
  assert.equal(fold.events, 2002);
  assert.equal(fold.version, 2002);
  assert.equal(fold.state.length, 4);
  assert.deepEqual(fold.state.slice(0, 2), [ADA, GRACE]);
  assert.ok(isErased(fold.state[2]));
  assert.equal(fold.state[3], GRACE);
  const names = (state: unknown[], event: { type: string; data: unknown }) =>
    event.type === 'ReviewAssigned' ? [...state, (event.data as { reviewerName: unknown }).reviewerName] : state;
  const later = await store.foldStream('post-1', [] as unknown[], names, { fromVersion: 1001 });
  assert.deepEqual(later, { state: [GRACE], firstVersion: 1001, version: 2002, lastPosition: 2002, events: 1002 });
  await store.close();
});

test('given a guard, then events of the types it does not handle never meet it, and it sees each page in one call', async () => {
  const calls: string[] = [];
  const guard = {
    handles: (type: string) => type === 'Secret',
    seal: async (events: readonly { data: unknown }[]) => (calls.push(`seal ${events.length}`), events.map(() => 'sealed')),
    reveal: async (events: readonly { data: unknown }[]) => (calls.push(`reveal ${events.length}`), events.map(() => 'revealed')),
  };
  const store = await openEventStore('memory:', { payloads: guard });
  await store.appendToStream('s', [postPublished, postPublished]);
  await store.readStream('s');
  await readAll(store);
  await store.foldStream('s', 0, (n) => n + 1);
  assert.deepEqual(calls, []);
  await store.appendToStream('s', [postPublished, { type: 'Secret', data: 'x' }, { type: 'Secret', data: 'y' }]);
  assert.deepEqual(calls, ['seal 2']);
  const events = await store.readStream('s');
  assert.deepEqual(events.map((e) => e.data), [postPublished.data, postPublished.data, postPublished.data, 'revealed', 'revealed']);
  assert.deepEqual(calls, ['seal 2', 'reveal 2']);
  await store.close();
});

test('given a personal field whose subject is an email, when it is appended, then it is refused and nothing is written', async () => {
  const { store } = await given();
  await assert.rejects(store.appendToStream('post-1', [reviewAssigned('ada@example.org')]), ValidationError);
  assert.equal(await store.headPosition(), 0);
  await store.close();
});

test('given a payloads option that is not a guard, then the store is refused', async () => {
  const storage = await openStorage('memory:');
  assert.throws(() => createEventStore(storage, { payloads: {} as never }), ValidationError);
  await storage.close();
});

const dir = mkdtempSync(join(tmpdir(), 'eventline-privacy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('given a SQLite file, when personal data is appended, then no name is in the file and it reads back in the clear', async () => {
  const keyring = await openKeyring(inspectableKeyStorage(), randomBytes(32));
  const url = `sqlite:${join(dir, 'x.db')}`;
  const store = await openEventStore(url, { payloads: personalDataGuard(personalData, keyring) });
  await store.appendToStream('post-1', [reviewAssigned(), postPublished]);
  await store.close();
  const files = readdirSync(dir).filter((name) => name.startsWith('x.db'));
  assert.ok(files.length > 0);
  const bytes = Buffer.concat(files.map((name) => readFileSync(join(dir, name))));
  for (const canary of [ADA, GRACE, GRACE_EMAIL]) assert.equal(bytes.indexOf(canary), -1, `${canary} is not in ${files.join(', ')}`);
  assert.notEqual(bytes.indexOf('Hello'), -1, 'the rest of the events is');
  const reopened = await openEventStore(url, { payloads: personalDataGuard(personalData, keyring) });
  assert.deepEqual((await reopened.readStream('post-1')).map((e) => e.data), [reviewAssigned().data, postPublished.data]);
  await reopened.close();
});
