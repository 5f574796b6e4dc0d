// The broker goes away mid-stream: the relay keeps retrying with back-off, its lag
// grows and shows in status, and once the broker is back everything arrives, in order,
// with nothing lost. The broker is a nats-server of this test's own (its own port and
// storage), so stopping it disturbs no other test.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { onEveryStore } from '../../src/testing/test-stores.js';
import { natsPublisher, outboxStatus, startOutboxRelay } from '../../src/workflows/outbox/index.js';
import { appendOutboxMessages, assertDeliveredInOrder, eventually, jetStreamMessages, outboxEvents, ownNatsServer, withNats } from '../fixtures/outbox.js';

// Its broker is its own, but it runs where the other NATS tests run: skipped without NATS, failed under CI.
await withNats('the outbox relay across a broker restart', () => {
  onEveryStore(
    (name) => `the outbox relay across a broker restart on ${name}`,
    (backend) => {
      test('while the broker is down the relay retries and the lag grows; when it is back everything arrives in order', { timeout: 30_000 }, (t) =>
        backend.withStore(async (store) => {
          const dir = await mkdtemp(join(tmpdir(), 'eventline-nats-'));
          t.after(() => rm(dir, { recursive: true, force: true }));
          const server = await ownNatsServer(dir);
          if (!server) return assert.fail('/usr/sbin/nats-server is missing (Debian package nats-server)');
          await server.start();
          t.after(() => server.stop());

          // Given a relay that has delivered the first 20 messages.
          const publisher = natsPublisher({ url: server.url, stream: 'RESTART', subjects: ['blog.>'], timeoutMs: 500 });
          const warnings: string[] = [];
          const relay = startOutboxRelay(store, { publisher, batchSize: 10, retryDelaysMs: [50, 100, 200, 400], logger: { warn: (m) => warnings.push(m) } });
          t.after(async () => {
            await relay.stop();
            await publisher.close();
          });
          await appendOutboxMessages(store, 'blog.posts.published', 20);
          await eventually(async () => (await relay.status()).undelivered === 0, 'the first 20 were delivered');
          const delivered = (await relay.status()).position;

          // When the broker stops and 30 more messages are emitted,
          await server.stop();
          await appendOutboxMessages(store, 'blog.posts.published', 30);

          // then the relay retries, says why, and the lag shows; the checkpoint stays where the acks stopped.
          await eventually(async () => (await outboxStatus(store)).lastError !== null, 'status shows the failure', 10_000, 20);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const down = await outboxStatus(store);
          assert.equal(down.position, delivered);
          assert.equal(down.undelivered, 30);
          assert.match(down.lastError!, /^publishing \S+ on blog\.posts\.published failed: /);
          assert.equal(warnings.filter((w) => /retrying with back-off/.test(w)).length, 1, 'one warning for the outage, not one per retry');

          // When the broker is back, everything arrives, once and in order, and the error clears.
          await server.start();
          await eventually(async () => (await outboxStatus(store)).undelivered === 0, 'the relay caught up after the restart', 20_000, 20);
          const up = await outboxStatus(store);
          assert.equal(up.lastError, null);
          const stored = await jetStreamMessages(server.url, 'RESTART');
          assert.equal(assertDeliveredInOrder(await outboxEvents(store), stored), 0, 'the broker deduplicated what was sent twice');
        }),
      );
    },
  );
});
