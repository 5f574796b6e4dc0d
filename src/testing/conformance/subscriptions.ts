// Subscriptions: catch up, then follow live appends, one event at a time, each once,
// in position order; from this process and from others.

import assert from 'node:assert/strict';
import { ValidationError } from '../../core/errors.js';
import type { RecordedEvent } from '../../core/events.js';
import type { EventStore } from '../../store/event-store.js';
import { openEventStore } from '../../open/open-store.js';
import { startProcess } from '../processes/spawn.js';
import { defineCase, defineProcessCase, eventually, sleep, type ConformanceOptions } from './suite.js';

const created = (postId: string) => ({ type: 'PostWasCreated', data: { postId } });
const published = (postId: string) => ({ type: 'PostWasPublished', data: { postId } });

function collecting(store: EventStore, options: Omit<Parameters<EventStore['subscribe']>[0], 'handler'> = {}) {
  const seen: RecordedEvent[] = [];
  const subscription = store.subscribe({ ...options, handler: (event) => void seen.push(event) });
  return { seen, subscription };
}

export function subscriptionCases(options: ConformanceOptions): void {
  const it = (name: string, body: Parameters<typeof defineCase>[2]) => defineCase(options, name, body);

  it('a subscription catches up from a position, then follows new appends live', async (store) => {
    await store.appendToStream('post-1', [created('1'), published('1')]);
    const [first] = await store.readStream('post-1');
    const { seen, subscription } = collecting(store, { after: first!.position, pollIntervalMs: 60_000 });
    await eventually(() => seen.length === 1, 'it caught up');
    assert.equal(seen[0]!.type, 'PostWasPublished');

    await store.appendToStream('post-2', [created('2')]);
    await eventually(() => seen.length === 2, 'the live event arrived without polling');
    await subscription.stop();
    await store.appendToStream('post-3', [created('3')]);
    await sleep(50);
    assert.deepEqual(seen.map((e) => e.streamId), ['post-1', 'post-2']);
    assert.equal(subscription.position, seen[1]!.position);
  });

  it('a subscription filters by type and stream prefix', async (store) => {
    const { seen, subscription } = collecting(store, { types: ['PostWasPublished'], streamPrefix: 'post-' });
    await store.appendToStream('post-1', [created('1'), published('1')]);
    await store.appendToStream('page-1', [published('x')]);
    await store.appendToStream('post-2', [published('2')]);
    await eventually(() => seen.length === 2, 'both matching events arrived');
    await subscription.stop();
    assert.deepEqual(seen.map((e) => `${e.streamId}:${e.type}`), ['post-1:PostWasPublished', 'post-2:PostWasPublished']);
  });

  it('a subscription awaits its handler: one event at a time, in position order', async (store) => {
    for (let i = 0; i < 20; i++) await store.appendToStream(`post-${i % 4}`, [created(String(i))]);
    let running = 0;
    let most = 0;
    const positions: number[] = [];
    const subscription = store.subscribe({
      batchSize: 3,
      handler: async (event) => {
        running++;
        most = Math.max(most, running);
        await sleep(1);
        positions.push(event.position);
        running--;
      },
    });
    await eventually(() => positions.length === 20, 'all 20 were handled');
    await subscription.stop();
    assert.equal(most, 1);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  });

  it('a failing handler ends the subscription at that event and stop() reports the error', async (store) => {
    await store.appendToStream('post-1', [created('1'), published('1'), created('x')]);
    const handled: string[] = [];
    const subscription = store.subscribe({
      handler: (event) => {
        if (event.type === 'PostWasPublished') throw new Error('poison');
        handled.push(event.type);
      },
    });
    await assert.rejects(subscription.done, /poison/);
    await assert.rejects(subscription.stop(), /poison/);
    assert.deepEqual(handled, ['PostWasCreated']);
    const [first] = await store.readStream('post-1');
    assert.equal(subscription.position, first!.position);
  });

  it('closing the store stops its subscriptions', async (store) => {
    const { subscription } = collecting(store);
    await store.close();
    await subscription.done;
  });

  it('refuses a subscription without a handler or with a bad position', async (store) => {
    assert.throws(() => store.subscribe({} as Parameters<EventStore['subscribe']>[0]), (e) => e instanceof ValidationError && e.field === 'handler');
    assert.throws(() => store.subscribe({ after: -1, handler: () => {} }), (e) => e instanceof ValidationError && e.field === 'after');
    assert.throws(() => store.subscribe({ pollIntervalMs: 0, handler: () => {} }), (e) => e instanceof ValidationError && e.field === 'pollIntervalMs');
  });

  defineProcessCase(options, 'a subscription receives every event other processes append, once, in order', async (url) => {
    const store = await openEventStore(url);
    try {
      const { seen, subscription } = collecting(store, { pollIntervalMs: 60_000 });
      const writers = ['p0', 'p1', 'p2'].map((w) => startProcess('writer', [url, `sub-${w}`, w, '100']).result);
      await Promise.all(writers);
      await eventually(() => seen.length === 300, 'all 300 arrived (woken by the store, not by polling)');
      await subscription.stop();
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.position > seen[i - 1]!.position);
      assert.equal(new Set(seen.map((e) => e.eventId)).size, 300);
    } finally {
      await store.close();
    }
  }, 120_000);
}
