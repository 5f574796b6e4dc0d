// The outbox relay on every store, against a real NATS JetStream: what it delivers and
// in what order, its checkpoint and status, its lease, an application without NATS, and
// the checks on outbox messages where they enter the log.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ValidationError } from '../../src/index.js';
import { natsTestStreams } from '../../src/testing/nats.js';
import { onEveryStore } from '../../src/testing/test-stores.js';
import {
  guardOutboxMessages,
  natsPublisher,
  natsUrlFromEnv,
  OUTBOX_MESSAGE,
  outboxMessage,
  outboxStatus,
  startOutboxRelay,
} from '../../src/workflows/outbox/index.js';
import { appendOutboxMessages, assertDeliveredInOrder, eventually, jetStreamMessages, outboxEvents, withNats } from '../fixtures/outbox.js';

await withNats('the outbox relay against NATS', (url) => {
  const streams = natsTestStreams(url);
  after(() => streams.deleteAll());
  const quiet = { warn: () => {} };

  onEveryStore(
    (name) => `the outbox relay on ${name}`,
    (backend) => {
      test('delivers every message in order per instance under its event id, and checkpoints what the broker acknowledged', () =>
        backend.withStore(async (store) => {
          // Given three workflow instances that emitted 30 messages, interleaved in the log.
          const { stream, prefix } = streams.fresh();
          await appendOutboxMessages(store, `${prefix}.posts.published`, 30);
          const before = await outboxStatus(store);
          assert.deepEqual({ ...before, head: undefined }, { name: 'outbox', position: 0, head: undefined, undelivered: 30, lastError: null, lastDeliveredAt: null });

          // When a relay runs, a page of 7 at a time.
          const publisher = natsPublisher({ url, stream, subjects: [`${prefix}.>`] });
          const relay = startOutboxRelay(store, { publisher, batchSize: 7, logger: quiet });
          try {
            await eventually(async () => (await relay.status()).undelivered === 0, 'the relay delivered everything');

            // Then JetStream holds each once, under its event id, in each instance's order,
            let events = await outboxEvents(store);
            assert.equal(assertDeliveredInOrder(events, await jetStreamMessages(url, stream)), 0, 'no duplicates');
            // and the checkpoint is at the last message.
            const after = await relay.status();
            assert.equal(after.position, events.at(-1)!.position);
            assert.equal(after.lastError, null);
            assert.ok(after.lastDeliveredAt instanceof Date);

            // When more messages are emitted while it runs, they follow at once.
            await appendOutboxMessages(store, `${prefix}.posts.published`, 5, 1);
            await eventually(async () => (await outboxStatus(store)).undelivered === 0, 'the new messages were delivered', 5_000);
            events = await outboxEvents(store);
            assert.equal(assertDeliveredInOrder(events, await jetStreamMessages(url, stream)), 0);
          } finally {
            await relay.stop();
            await publisher.close();
          }
        }));

      test('without EVENTLINE_NATS_URL no relay runs and the messages wait, shown undelivered; with it, they are delivered', () =>
        backend.withStore(async (store) => {
          // Given an application started without EVENTLINE_NATS_URL, which runs no relay.
          const { stream, prefix } = streams.fresh();
          assert.equal(natsUrlFromEnv({}), undefined);
          assert.equal(natsUrlFromEnv({ EVENTLINE_NATS_URL: '  ' }), undefined);

          // When its workflows emit messages,
          await appendOutboxMessages(store, `${prefix}.posts.published`, 4);

          // then nothing is published, and status shows them waiting (creating nothing to say so).
          const waiting = await outboxStatus(store);
          assert.deepEqual([waiting.position, waiting.undelivered, waiting.lastError, waiting.lastDeliveredAt], [0, 4, null, null]);
          await assert.rejects(jetStreamMessages(url, stream), /stream not found/i);

          // When it is started again with the variable set, the kept messages are delivered.
          const configured = natsUrlFromEnv({ EVENTLINE_NATS_URL: url });
          assert.equal(configured, url);
          const publisher = natsPublisher({ url: configured!, stream, subjects: [`${prefix}.>`] });
          const relay = startOutboxRelay(store, { publisher, logger: quiet });
          try {
            await eventually(async () => (await relay.status()).undelivered === 0, 'the kept messages were delivered');
            assert.equal(assertDeliveredInOrder(await outboxEvents(store), await jetStreamMessages(url, stream)), 0);
          } finally {
            await relay.stop();
            await publisher.close();
          }
        }));

      test('one relay of a name runs at a time; when it stops, the standby takes over from its checkpoint', () =>
        backend.withStore(async (store) => {
          // Given two relays of the same name on one store; the first takes the lease as it starts.
          const { stream, prefix } = streams.fresh();
          const publisher = natsPublisher({ url, stream, subjects: [`${prefix}.>`] });
          const first = startOutboxRelay(store, { publisher, leaseRetryMs: 20, logger: quiet });
          const standby = startOutboxRelay(store, { publisher, leaseRetryMs: 20, logger: quiet });
          try {
            // When messages are emitted, one relay delivers them, once each.
            await appendOutboxMessages(store, `${prefix}.posts.published`, 10);
            await eventually(async () => (await outboxStatus(store)).undelivered === 0, 'the first ten were delivered');
            // When the one holding the lease stops, the standby delivers what follows.
            await first.stop();
            await appendOutboxMessages(store, `${prefix}.posts.published`, 10);
            await eventually(async () => (await standby.status()).undelivered === 0, 'the standby delivered the next ten');
            // Then every message was published once: the two never ran side by side.
            const stored = await jetStreamMessages(url, stream);
            assert.equal(stored.length, 20);
            assert.equal(assertDeliveredInOrder(await outboxEvents(store), stored), 0);
          } finally {
            await first.stop();
            await standby.stop();
            await publisher.close();
          }
        }));

      test('an outbox message that entered the log past every check is skipped, loudly, and the rest delivered', () =>
        backend.withStore(async (store) => {
          // Given a malformed OutboxMessage between two good ones (appended without the guard).
          const { stream, prefix } = streams.fresh();
          await store.appendToStream('workflow-review-p1', [
            outboxMessage(`${prefix}.a`, 1),
            { type: OUTBOX_MESSAGE, data: { subject: '', payload: 2 } },
            outboxMessage(`${prefix}.c`, 3),
          ]);
          // When the relay runs,
          const warnings: string[] = [];
          const publisher = natsPublisher({ url, stream, subjects: [`${prefix}.>`] });
          const relay = startOutboxRelay(store, { publisher, logger: { warn: (message) => warnings.push(message) } });
          try {
            await eventually(async () => (await relay.status()).undelivered === 0, 'the relay went past all three');
          } finally {
            await relay.stop();
            await publisher.close();
          }
          // then the good ones are published, and the skipped one is named in a warning.
          assert.deepEqual((await jetStreamMessages(url, stream)).map((m) => m.payload), [1, 3]);
          assert.equal(warnings.length, 1);
          assert.match(warnings[0]!, /skipping .* at position 2 in workflow-review-p1, which no broker can take: data\.subject: must not be empty/);
        }));
    },
  );
});

onEveryStore(
  (name) => `outbox messages entering the log on ${name}`,
  (backend) => {
    test('a bad subject or data is a ValidationError where the message is made, or appended under the guard, and nothing is written', () =>
      backend.withStore(async (store) => {
        // Given the builder, a bad subject is refused at once, naming the field.
        for (const subject of ['', '   ', 'blog posts', 'blog..posts', 'blog.*', 'blog.>']) {
          assert.throws(() => outboxMessage(subject, {}), (e) => e instanceof ValidationError && e.field === 'data.subject', subject);
        }
        assert.throws(() => outboxMessage('blog.posts', undefined as never), (e) => e instanceof ValidationError && e.field === 'data.payload');
        assert.deepEqual(outboxMessage('blog.posts.published', { postId: 'p1' }, { eventId: '3f0c4c1e-5a53-4b8f-9b7e-2f1d9c6a8e11' }), {
          type: OUTBOX_MESSAGE,
          data: { subject: 'blog.posts.published', payload: { postId: 'p1' } },
          eventId: '3f0c4c1e-5a53-4b8f-9b7e-2f1d9c6a8e11',
        });

        // Given the guard on the store, an append with a bad OutboxMessage is refused whole.
        const unguard = guardOutboxMessages(store);
        const refused = [
          [{ type: OUTBOX_MESSAGE, data: 'blog.posts.published' }, 'events[1].data'],
          [{ type: OUTBOX_MESSAGE, data: { subject: '', payload: 1 } }, 'events[1].data.subject'],
          [{ type: OUTBOX_MESSAGE, data: { subject: 'blog.posts' } }, 'events[1].data.payload'],
        ] as const;
        for (const [bad, field] of refused) {
          await assert.rejects(
            store.appendToStream('workflow-review-p1', [{ type: 'ReviewPassed', data: {} }, bad]),
            (e) => e instanceof ValidationError && e.field === field,
            field,
          );
        }
        assert.equal(await store.headPosition(), 0, 'nothing was written');
        await store.appendToStream('workflow-review-p1', [{ type: 'ReviewPassed', data: {} }, outboxMessage('blog.posts.published', { postId: 'p1' })]);
        assert.equal((await outboxStatus(store)).undelivered, 1);

        // When the guard is removed, appends are the store's alone again.
        unguard();
        await store.appendToStream('workflow-review-p1', [{ type: OUTBOX_MESSAGE, data: 'not checked' }]);
        assert.equal((await store.readStream('workflow-review-p1')).length, 3);
      }));
  },
);
