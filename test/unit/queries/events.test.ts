// queryEvents on the memory store: a stream read page by page through its own index,
// the log read with the store's filters, and a limit that stops reading early.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { categoryOf, findEvents, openEventStore, queryEvents, ValidationError, type EventStore } from '../../../src/index.js';

async function withStore(story: (store: EventStore) => Promise<void>): Promise<void> {
  const store = await openEventStore('memory:');
  try {
    await story(store);
  } finally {
    await store.close();
  }
}

const counted = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ type: i % 2 ? 'Odd' : 'Even', data: { n: from + i } }));

test('a stream longer than a page is read whole, and its filters hold across pages', () =>
  withStore(async (store) => {
    await store.appendToStream('long-1', counted(0, 700));
    await store.appendToStream('long-2', counted(700, 10));
    await store.appendToStream('long-1', counted(710, 600));

    const stream = await findEvents(store, { streamId: 'long-1' });
    assert.equal(stream.length, 1300);
    assert.deepEqual(stream.map((e) => e.version), Array.from({ length: 1300 }, (_, i) => i + 1));
    const window = await findEvents(store, { streamId: 'long-1', after: 695, before: 715, types: ['Odd'] });
    assert.deepEqual(window.map((e) => e.position), [696, 698, 700, 712, 714]);
  }));

test('a limit stops reading as soon as it is reached', () =>
  withStore(async (store) => {
    await store.appendToStream('s', counted(0, 50));
    let reads = 0;
    const spy: EventStore = { ...store, readAll: (options) => (reads++, store.readAll(options)) };

    const first = [];
    for await (const event of queryEvents(spy, { types: ['Even'], limit: 3 })) first.push(event.position);

    assert.deepEqual(first, [1, 3, 5]);
    assert.equal(reads, 1);
  }));

test('the category of a stream is its id up to the first dash', () => {
  assert.equal(categoryOf('post-hello'), 'post');
  assert.equal(categoryOf('post-hello-again'), 'post');
  assert.equal(categoryOf('singleton'), 'singleton');
});

test('a query is checked when it is made, before anything is read', () =>
  withStore(async (store) => {
    const field = (name: string) => (e: unknown) => e instanceof ValidationError && e.field === name;
    assert.throws(() => queryEvents(store, { limit: 0 }), field('limit'));
    assert.throws(() => queryEvents(store, { after: -1 }), field('after'));
    assert.throws(() => queryEvents(store, { category: '' }), field('category'));
    assert.throws(() => queryEvents(store, { streamId: 'x'.repeat(256) }), field('streamId'));
    assert.throws(() => queryEvents(store, { types: 'Even' as unknown as string[] }), field('types'));
    assert.throws(() => queryEvents(store, { correlationId: '' }), field('correlationId'));
  }));
