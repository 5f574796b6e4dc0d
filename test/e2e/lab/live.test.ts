// The live feed on every store, in-process on a real port (a stream never ends, so
// inject cannot read it): where a stream starts, the heartbeat, and the subscription
// stopping when the client goes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../../src/index.js';
import { onEveryStore } from '../../../src/testing/index.js';
import { handleAuthorCommand, newAuthorId } from '../../../examples/blog/index.js';
import { call, eventually, openSse, withLab } from './support.js';

/** The store, counting the subscriptions that have not ended yet. */
function countingSubscriptions(store: EventStore): { store: EventStore; open(): number } {
  let open = 0;
  return {
    store: {
      ...store,
      subscribe(options) {
        const subscription = store.subscribe(options);
        open++;
        void subscription.done.catch(() => {}).finally(() => open--);
        return subscription;
      },
    },
    open: () => open,
  };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  return `http://127.0.0.1:${address.port}/api/events/live`;
}

const authorId = newAuthorId();
const create = (app: FastifyInstance, postId: string) => call(app, 'POST', '/api/posts', { postId, title: 'T', body: 'B', authorId });

onEveryStore((name) => `the live feed on ${name}`, (backend) => {
  test('it starts at the head by default, after `after` when given, and after Last-Event-ID before either', () =>
    backend.withStore((store) =>
      withLab(store, async (app) => {
        // The author at position 1, the posts at 2, 3 and 4.
        await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId, name: 'Ada', email: 'ada@example.org' });
        for (const postId of ['a', 'b', 'c']) await create(app, postId);
        const live = await listen(app);

        const fromHead = await openSse(live);
        const fromAfter = await openSse(`${live}?after=2`);
        const fromLastId = await openSse(`${live}?after=0`, { 'last-event-id': '3' });
        await create(app, 'd');

        assert.deepEqual([(await fromHead.next())?.id], ['5']);
        assert.deepEqual([(await fromAfter.next())?.id, (await fromAfter.next())?.id, (await fromAfter.next())?.id], ['3', '4', '5']);
        assert.deepEqual([(await fromLastId.next())?.id, (await fromLastId.next())?.id], ['4', '5']);
        for (const reader of [fromHead, fromAfter, fromLastId]) reader.close();
      }),
    ));

  test('a quiet stream gets a comment heartbeat, and bad positions are refused before it opens', () =>
    backend.withStore((store) =>
      withLab(
        store,
        async (app) => {
          const live = await listen(app);
          const response = await fetch(live);
          const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
          let text = '';
          while (!text.includes(': heartbeat\n\n')) text += (await reader.read()).value ?? '';
          await reader.cancel();

          for (const [query, headers, field] of [['?after=-1', {}, 'after'], ['', { 'last-event-id': 'x' }, 'last-event-id']] as const) {
            const refused = await fetch(`${live}${query}`, { headers });
            assert.equal(refused.status, 400);
            assert.equal(((await refused.json()) as { details: { field: string } }).details.field, field);
          }
        },
        { heartbeatMs: 50 },
      ),
    ));

  test("the stream's subscription stops when the client goes", () =>
    backend.withStore(async (store) => {
      const counted = countingSubscriptions(store);
      await withLab(counted.store, async (app) => {
        const live = await listen(app);
        const reader = await openSse(live);
        assert.equal(counted.open(), 1);

        reader.close();

        await eventually('the subscription stops', async () => (counted.open() === 0 ? true : undefined), 5_000);
      });
    }));
});
