import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuplicateEventError, openEventStore } from '../../src/index.js';
import { eventStoreConformance } from '../../src/testing/index.js';

eventStoreConformance({ name: 'memory', open: () => openEventStore('memory:') });

const created = { type: 'PostWasCreated', data: { postId: '1' } };

test('an id of the store that names a position it has not reached is never given to another event', async () => {
  const store = await openEventStore('memory:');
  await store.appendToStream('post-1', [created]);
  const [first] = await store.readStream('post-1');
  assert.match(first!.eventId, /^00000000-0000-8001-/, 'named after position 1');
  // An id the store would give position 3, and one for the event right after it, in one append.
  const third = `00000000-0000-8003-${first!.eventId.slice(19)}`;
  await store.appendToStream('post-2', [{ ...created, eventId: third }, created]);
  await store.appendToStream('post-3', [created, created]);
  const all = [];
  for await (const e of store.readAll()) all.push(e.eventId);
  assert.equal(all.length, 5);
  assert.equal(new Set(all).size, 5);
  assert.equal(all[1], third);
  // Position 3 could not be named after itself: it has a UUIDv7. Positions 4 and 5 are named again.
  assert.match(all[2]!, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  assert.match(all[3]!, /^00000000-0000-8004-/);
  assert.match(all[4]!, /^00000000-0000-8005-/);
  // It is a retry of the append that stored it, and a duplicate anywhere else.
  assert.deepEqual(await store.appendToStream('post-2', [{ ...created, eventId: third }, { ...created, eventId: all[2]! }]), {
    nextExpectedVersion: 2,
    lastPosition: 3,
  });
  await assert.rejects(store.appendToStream('post-4', [{ ...created, eventId: third }]), DuplicateEventError);
  await store.close();
});
