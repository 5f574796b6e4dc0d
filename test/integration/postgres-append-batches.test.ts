// Appends that arrive at a PostgreSQL store while another is on its way wait for it and
// then go together, in one transaction (src/stores/postgres/append-queue.ts). Each
// append still answers for itself: its version, its position, its conflict, its retry,
// its error.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { ConcurrencyError, DuplicateEventError, openEventStore, type EventStore } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/index.js';

const postgres = postgresTestUrl();
const created = (postId: string) => ({ type: 'PostWasCreated', data: { postId } });

async function sql<T extends object>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.EVENTLINE_POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const schemaOf = (url: string) => `"${new URL(url).searchParams.get('schema')!}"`;

/** How many transactions wrote the store's events. */
async function transactions(url: string): Promise<number> {
  const [row] = await sql<{ n: number }>(`SELECT count(DISTINCT xmin::text)::int AS n FROM ${schemaOf(url)}.events`);
  return row!.n;
}

/** Runs `story` on a store of a new schema, and closes the store. */
async function withStore(story: (store: EventStore, url: string) => Promise<void>): Promise<void> {
  const url = await postgres!.freshUrl();
  const store = await openEventStore(url);
  try {
    await story(store, url);
  } finally {
    await store.close();
  }
}

async function positions(store: EventStore): Promise<number[]> {
  const all: number[] = [];
  for await (const event of store.readAll()) all.push(event.position);
  return all;
}

if (!postgres) {
  test('postgres append batches', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
} else {
  after(() => postgres.dropAll());

  test('sixteen appends made at once take two transactions: the first alone, the fifteen that waited for it together', () =>
    withStore(async (store, url) => {
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => store.appendToStream(`post-${i}`, [created(`${i}`)])));

      assert.deepEqual(results.map((r) => r.nextExpectedVersion), Array(16).fill(1));
      assert.deepEqual(results.map((r) => r.lastPosition), Array.from({ length: 16 }, (_, i) => i + 1), 'in the order they were made');
      assert.equal(await transactions(url), 2);
      assert.deepEqual(await positions(store), Array.from({ length: 16 }, (_, i) => i + 1));
    }));

  test('two appends to one stream in one batch take turns: the second sees the first', () =>
    withStore(async (store, url) => {
      const first = store.appendToStream('post-0', [created('0')]);
      const exact = [1, 2].map(() => store.appendToStream('post-1', [created('1')], { expectedVersion: 'no_stream' }));
      const any = [1, 2].map(() => store.appendToStream('post-2', [created('2')]));
      await first;

      const [won, lost] = await Promise.allSettled(exact);
      assert.equal(won?.status === 'fulfilled' && won.value.nextExpectedVersion, 1);
      assert.ok(lost?.status === 'rejected' && lost.reason instanceof ConcurrencyError);
      assert.equal(lost.reason.actual, 1);
      assert.deepEqual((await Promise.all(any)).map((r) => r.nextExpectedVersion), [1, 2]);
      assert.equal(await transactions(url), 2);
    }));

  test('an append the database refuses fails alone; the others of its batch are stored', () =>
    withStore(async (store, url) => {
      // A rule of the database's own, which Eventline does not know of.
      await sql(`ALTER TABLE ${schemaOf(url)}.events ADD CONSTRAINT no_spam CHECK (type <> 'SpamPosted')`);
      const first = store.appendToStream('post-0', [created('0')]);
      const batch = ['post-1', 'post-2', 'post-3'].map((streamId) => store.appendToStream(streamId, [created(streamId)]));
      const refused = store.appendToStream('post-4', [{ type: 'SpamPosted', data: {} }]);
      await first;

      await assert.rejects(refused, (error: Error & { code?: string }) => error.code === '23514');
      assert.deepEqual((await Promise.all(batch)).map((r) => r.nextExpectedVersion), [1, 1, 1]);
      assert.equal((await store.readStream('post-4')).length, 0);
      const streams = [];
      for await (const event of store.readAll()) streams.push(event.streamId);
      assert.deepEqual(streams, ['post-0', 'post-1', 'post-2', 'post-3']);
    }));

  test('in a batch, an append sent again with its ids answers as the first time, and an id stored elsewhere is refused', () =>
    withStore(async (store) => {
      const eventId = randomUUID();
      const original = await store.appendToStream('post-1', [{ ...created('1'), eventId }], { expectedVersion: 'no_stream' });

      const first = store.appendToStream('post-0', [created('0')]);
      const again = store.appendToStream('post-1', [{ ...created('1'), eventId }], { expectedVersion: 'no_stream' });
      const elsewhere = store.appendToStream('post-2', [{ ...created('2'), eventId }]);
      const other = store.appendToStream('post-3', [created('3')]);
      await first;

      assert.deepEqual(await again, original);
      await assert.rejects(elsewhere, DuplicateEventError);
      assert.equal((await other).nextExpectedVersion, 1);
      assert.equal((await store.readStream('post-1')).length, 1);
      assert.equal((await store.readStream('post-2')).length, 0);
    }));

  test('after an id named a position ahead of the log, a batch that reaches it gives no id twice', () =>
    withStore(async (store) => {
      await store.appendToStream('post-0', [created('0')]);
      const tag = (await store.readStream('post-0'))[0]!.eventId.slice(19);
      // The id this schema would give position 4, brought before the log reaches it.
      await store.appendToStream('post-1', [{ ...created('1'), eventId: `00000000-0000-8004-${tag}` }]);

      await Promise.all(['post-2', 'post-3', 'post-4', 'post-5'].map((streamId) => store.appendToStream(streamId, [created(streamId)])));

      const ids = [];
      for await (const event of store.readAll()) ids.push(event.eventId);
      assert.equal(ids.length, 6);
      assert.equal(new Set(ids).size, 6, 'no id is given twice');
    }));
}
