// Crash: an outbox relay process killed with kill -9 in the middle of its work and
// started again delivers every message at least once, in order per instance, a
// duplicate only under the same id; a consumer behind an inbox handles each exactly
// once. On a SQLite file and on PostgreSQL, against a real NATS JetStream whose
// duplicate window is short, so that what the relay publishes again reaches consumers.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openEventStore } from '../../src/index.js';
import { natsTestStreams } from '../../src/testing/nats.js';
import { postgresTestUrl } from '../../src/testing/postgres.js';
import { startProcess } from '../../src/testing/processes/spawn.js';
import { consumeNats, createInbox, natsPublisher, outboxStatus, type ReceivedMessage } from '../../src/workflows/outbox/index.js';
import {
  appendOutboxMessages,
  assertDeliveredInOrder,
  consumerCaughtUp,
  createForgetfulStream,
  eventually,
  jetStreamMessages,
  outboxEvents,
  withNats,
} from '../fixtures/outbox.js';

const MESSAGES = 1_500;

interface Backend {
  name: string;
  freshUrl(): Promise<string>;
}

const dir = mkdtempSync(join(tmpdir(), 'eventline-outbox-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const backends: Backend[] = [{ name: 'SQLite', freshUrl: async () => `sqlite:${join(dir, `outbox-${backends.length}-${Date.now()}.db`)}` }];
const postgres = postgresTestUrl();
if (postgres) {
  after(() => postgres.dropAll());
  backends.push({ name: 'PostgreSQL', freshUrl: postgres.freshUrl });
} else {
  test('outbox relay crashes on PostgreSQL', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
}

await withNats('outbox relay crashes against NATS', (natsUrl) => {
  const streams = natsTestStreams(natsUrl);
  after(() => streams.deleteAll());

  for (const backend of backends) {
    describe(`outbox relay crashes on ${backend.name}`, () => {
      test('a relay killed with kill -9 mid-stream and started again delivers everything at least once, in order, and the inbox handles each once', { timeout: 40_000 }, async (t) => {
        const storeUrl = await backend.freshUrl();
        const store = await openEventStore(storeUrl);
        const consumerDb = await openEventStore('memory:');
        t.after(async () => {
          await store.close();
          await consumerDb.close();
        });

        // Given 1,500 messages from three instances, a stream that forgets ids after 100 ms,
        // and a consumer that records each message it handles, behind an inbox.
        const { stream, prefix } = streams.fresh();
        await createForgetfulStream(natsUrl, stream, [`${prefix}.>`], 100);
        await appendOutboxMessages(store, `${prefix}.posts.published`, MESSAGES);
        const handled: ReceivedMessage[] = [];
        const tables = { received: consumerDb.readModels.table('received') };
        await consumerDb.readModels.transaction(tables, (db) => db.exec('CREATE TABLE {received} (id TEXT PRIMARY KEY)'));
        const inbox = createInbox(consumerDb.readModels, 'crash-consumer');
        const consumer = await consumeNats({
          url: natsUrl,
          stream,
          durable: 'crash-consumer',
          inbox,
          tables,
          handle: async (message, db) => {
            await db.run('INSERT INTO {received} (id) VALUES ($1)', [message.id]);
            handled.push(message);
          },
        });
        t.after(() => consumer.stop());

        // When the relay is killed a fifth of the way through,
        const relayArgs = [storeUrl, natsUrl, stream, `${prefix}.>`, '--batch-size', '50', '--publish-delay-ms', '1'];
        const first = startProcess('outbox-relay', relayArgs);
        t.after(() => first.kill());
        await first.printed('running');
        await eventually(async () => (await outboxStatus(store)).position >= (await store.headPosition()) / 5, 'a fifth was delivered', 20_000, 10);
        await first.kill();
        const atKill = await outboxStatus(store);
        assert.ok(atKill.undelivered > 0, `the kill landed mid-way (${atKill.undelivered} undelivered)`);

        // and a new one is started after the broker has forgotten the ids,
        await new Promise((resolve) => setTimeout(resolve, 200));
        const second = startProcess('outbox-relay', relayArgs);
        t.after(() => second.kill());
        await eventually(async () => (await outboxStatus(store)).undelivered === 0, 'the second relay delivered the rest', 25_000, 20);
        await second.kill('SIGTERM');
        assert.deepEqual(await second.result, { stopped: true });

        // then the broker holds every message, first arrivals in each instance's order,
        // duplicates only under the same id with the same content;
        const events = await outboxEvents(store);
        const stored = await jetStreamMessages(natsUrl, stream);
        const duplicates = assertDeliveredInOrder(events, stored);
        t.diagnostic(`${duplicates} messages published again after the kill, under their own ids`);

        // and a message published once more, much later, under its id is not handled again.
        const late = natsPublisher({ url: natsUrl, stream });
        await late.publish({ id: events[0]!.eventId, subject: `${prefix}.posts.published`, payload: new TextEncoder().encode(JSON.stringify({ n: 0, instance: 0 })) });
        await late.close();
        await eventually(async () => (await jetStreamMessages(natsUrl, stream)).length === stored.length + 1, 'the late copy is stored');
        await eventually(() => consumerCaughtUp(natsUrl, stream, 'crash-consumer'), 'the consumer acknowledged every copy', 15_000, 20);

        assert.equal(handled.length, MESSAGES, 'each message was handled exactly once');
        assert.deepEqual(new Set(handled.map((m) => m.id)), new Set(events.map((e) => e.eventId)));
        const rows = await consumerDb.readModels.transaction(tables, (db) => db.all<{ n: number }>('SELECT COUNT(*) AS n FROM {received}'));
        assert.equal(rows[0]!.n, MESSAGES);
        const versions = new Map<string, number>();
        for (const message of handled) {
          const streamId = message.headers['Eventline-Stream-Id']!;
          const version = Number(message.headers['Eventline-Stream-Version']);
          assert.ok((versions.get(streamId) ?? 0) < version, `the consumer handled ${streamId} in order`);
          versions.set(streamId, version);
        }
      });
    });
  }
});

