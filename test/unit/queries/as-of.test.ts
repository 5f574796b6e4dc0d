// projectionAsOf and stateAsOf on the memory store: a replay into a private database
// of any projection, any of its tables, with its key found from the table itself.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { asOfBounds, defineProjection, openEventStore, projectionAsOf, startProjections, stateAsOf, ValidationError, type EventStore } from '../../../src/index.js';

/** Counts words per (stream, word) and keeps a log without a key. */
const words = defineProjection({
  name: 'words',
  eventTypes: ['Said'],
  tables: ['word_counts', 'said_log'],
  setup: `
    CREATE TABLE IF NOT EXISTS {word_counts} (stream_id TEXT NOT NULL, word TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (word, stream_id));
    CREATE TABLE IF NOT EXISTS {said_log} (position BIGINT NOT NULL, word TEXT NOT NULL)`,
  async handle(event, db) {
    const { word } = event.data as { word: string };
    await db.run(
      `INSERT INTO {word_counts} (stream_id, word, n) VALUES ($1, $2, 1) ON CONFLICT (word, stream_id) DO UPDATE SET n = {word_counts}.n + 1`,
      [event.streamId, word],
    );
    await db.run(`INSERT INTO {said_log} (position, word) VALUES ($1, $2)`, [event.position, word]);
  },
});

async function withStore(story: (store: EventStore) => Promise<void>): Promise<void> {
  const store = await openEventStore('memory:');
  try {
    await story(store);
  } finally {
    await store.close();
  }
}

const said = (...list: string[]) => list.map((word) => ({ type: 'Said', data: { word } }));

test('a table as of a position: its rows in key order, its columns, its key, and the events replayed', () =>
  withStore(async (store) => {
    await store.appendToStream('b', said('hi', 'yo'));
    await store.appendToStream('other', [{ type: 'Ignored', data: {} }]);
    await store.appendToStream('a', said('hi', 'hi'));

    const then = await projectionAsOf(store, words, { position: 4 });

    assert.deepEqual(then, {
      table: 'word_counts',
      columns: ['stream_id', 'word', 'n'],
      key: ['word', 'stream_id'],
      rows: [
        { stream_id: 'a', word: 'hi', n: 1 },
        { stream_id: 'b', word: 'hi', n: 1 },
        { stream_id: 'b', word: 'yo', n: 1 },
      ],
      events: 3,
      position: 4,
    });
    const log = await projectionAsOf(store, words, { position: 99 }, { table: 'said_log' });
    assert.deepEqual(log.key, []);
    assert.deepEqual(log.rows.map((r) => r.position), [1, 2, 4, 5]);
  }));

test('a replay leaves the live read model and its checkpoint exactly as they were', () =>
  withStore(async (store) => {
    await store.appendToStream('a', said('one', 'two'));
    const running = startProjections(store, [words], { pollIntervalMs: 20 });
    try {
      await running.waitFor('words', 2);
      await store.appendToStream('a', said('three'));
      await running.waitFor('words', 3);
      const live = () => store.readModels.transaction({ t: store.readModels.table('word_counts') }, (db) => db.all('SELECT * FROM {t} ORDER BY word'));
      const before = [await live(), await running.status()];

      assert.equal((await projectionAsOf(store, words, { position: 1 })).rows.length, 1);

      assert.deepEqual([await live(), await running.status()], before);
    } finally {
      await running.stop();
    }
  }));

test('as of a time is inclusive to the millisecond; a stream folds only what was recorded by then', () =>
  withStore(async (store) => {
    await store.appendToStream('a', said('one'));
    await sleep(5);
    await store.appendToStream('a', said('two'));
    const [first, second] = await store.readStream('a');
    const folder = { initialState: () => [] as string[], evolve: (s: string[], e: { data: unknown }) => [...s, (e.data as { word: string }).word] };

    assert.deepEqual(asOfBounds({ time: first!.recordedAt }), { recordedTo: new Date(first!.recordedAt.getTime() + 1) });
    assert.deepEqual(await stateAsOf(store, 'a', folder, { time: first!.recordedAt }), { state: ['one'], version: 1, position: 1 });
    assert.deepEqual(await stateAsOf(store, 'a', folder, { time: second!.recordedAt }), { state: ['one', 'two'], version: 2, position: 2 });
    assert.deepEqual(await stateAsOf(store, 'a', folder, { time: new Date(0) }), { state: [], version: 0, position: 0 });
    assert.deepEqual((await projectionAsOf(store, words, { time: first!.recordedAt })).rows, [{ stream_id: 'a', word: 'one', n: 1 }]);
  }));

test('a point that is not one is a ValidationError naming it', () =>
  withStore(async (store) => {
    const field = (name: string) => (e: unknown) => e instanceof ValidationError && e.field === name;
    assert.throws(() => asOfBounds(null as unknown as { position: number }), field('at'));
    assert.throws(() => asOfBounds({ position: 1.5 }), field('position'));
    assert.throws(() => asOfBounds({ time: '2026-01-01' as unknown as Date }), field('time'));
    await assert.rejects(projectionAsOf(store, words, { position: 1 }, { table: 'nope' }), field('table'));
    await assert.rejects(stateAsOf(store, '', { initialState: () => 0, evolve: (n: number) => n }, { position: 1 }), field('streamId'));
  }));
