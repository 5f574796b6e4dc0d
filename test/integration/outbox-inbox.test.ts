// The consumer's inbox on every store's read models: a message id takes effect once,
// with the consumer's own writes, however often and however concurrently it arrives.
// And how the NATS tests decide whether they can run here.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError, type EventStore, type ReadModelDb } from '../../src/index.js';
import { natsUnavailable } from '../../src/testing/nats.js';
import { onEveryStore } from '../../src/testing/test-stores.js';
import { createInbox } from '../../src/workflows/outbox/index.js';

async function setUpCounter(store: EventStore) {
  const tables = { counter: store.readModels.table('counter') };
  await store.readModels.transaction(tables, (db) => db.exec('CREATE TABLE {counter} (id TEXT PRIMARY KEY, n INTEGER NOT NULL)'));
  const bump = (id: string) => ({
    tables,
    work: async (db: ReadModelDb) => {
      await db.run('INSERT INTO {counter} (id, n) VALUES ($1, 1) ON CONFLICT (id) DO UPDATE SET n = {counter}.n + 1', [id]);
    },
  });
  const count = async (id: string) =>
    (await store.readModels.transaction(tables, (db) => db.get<{ n: number }>('SELECT n FROM {counter} WHERE id = $1', [id])))?.n ?? 0;
  return { bump, count };
}

onEveryStore(
  (name) => `the inbox on ${name}`,
  (backend) => {
    test('a message id runs its work once; a failed attempt leaves no trace, and the next runs it', () =>
      backend.withStore(async (store) => {
        // Given an inbox and a consumer's own table.
        const inbox = createInbox(store.readModels, 'notifier');
        const { bump, count } = await setUpCounter(store);

        // When message m1 arrives twice, the second time is recognised.
        const m1 = bump('post-1');
        assert.equal(await inbox.handleOnce('m1', m1.work, { tables: m1.tables }), true);
        assert.equal(await inbox.handleOnce('m1', m1.work, { tables: m1.tables }), false);
        assert.equal(await count('post-1'), 1);
        assert.equal(await inbox.handled('m1'), true);

        // When the work for m2 fails, neither its writes nor its id are kept, so a redelivery runs it.
        await assert.rejects(
          inbox.handleOnce('m2', async (db) => {
            await m1.work(db);
            throw new Error('the mail server is down');
          }, { tables: m1.tables }),
          /mail server is down/,
        );
        assert.equal(await inbox.handled('m2'), false);
        assert.equal(await count('post-1'), 1);
        assert.equal(await inbox.handleOnce('m2', m1.work, { tables: m1.tables }), true);
        assert.equal(await count('post-1'), 2);

        // Then another inbox keeps its own ids.
        assert.equal(await createInbox(store.readModels, 'search-index').handled('m1'), false);
      }));

    test('the same id arriving on many deliveries at once runs once', () =>
      backend.withStore(async (store) => {
        const inbox = createInbox(store.readModels, 'notifier');
        const { bump, count } = await setUpCounter(store);
        const m = bump('post-1');
        const ran = await Promise.all(Array.from({ length: 8 }, () => inbox.handleOnce('m1', m.work, { tables: m.tables })));
        assert.equal(ran.filter(Boolean).length, 1);
        assert.equal(await count('post-1'), 1);
      }));

    test('bad input is a ValidationError', () =>
      backend.withStore(async (store) => {
        assert.throws(() => createInbox(store.readModels, ''), (e) => e instanceof ValidationError && e.field === 'name');
        const inbox = createInbox(store.readModels, 'notifier');
        await assert.rejects(inbox.handleOnce('', async () => {}), (e) => e instanceof ValidationError && e.field === 'id');
        await assert.rejects(inbox.handleOnce('m1', async () => {}, { tables: { eventline_inbox: 'x' } }), (e) => e instanceof ValidationError && e.field === 'tables');
      }));
  },
);

test('the NATS tests run only where a server answers: skipped without one, and failed under CI=true', async () => {
  assert.deepEqual(await natsUnavailable({}), { reason: 'EVENTLINE_NATS_URL is not set (e.g. nats://127.0.0.1:4222); skipping the NATS tests', required: false });
  assert.equal((await natsUnavailable({ CI: 'true' }))?.required, true);
  const silent = await natsUnavailable({ EVENTLINE_NATS_URL: 'nats://127.0.0.1:1' });
  assert.match(silent!.reason, /^the NATS server at nats:\/\/127\.0\.0\.1:1 does not answer \(.*ECONNREFUSED.*\); skipping the NATS tests$/);
});
