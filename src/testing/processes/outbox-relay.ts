// An outbox relay process: relays a store's outbox to NATS JetStream until it is
// killed, or stops cleanly on SIGTERM. Tests kill -9 it in the middle of its work.
// Usage: outbox-relay <store-url> <nats-url> <stream> <subject> [--batch-size <n>] [--publish-delay-ms <n>]
// --publish-delay-ms waits before each publish, so that a kill surely lands mid-way.
// Prints "running" once started, and {"stopped": true} after a clean stop.

import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { openEventStore } from '../../open/open-store.js';
import { natsPublisher } from '../../workflows/outbox/nats.js';
import type { Publisher } from '../../workflows/outbox/publisher.js';
import { startOutboxRelay } from '../../workflows/outbox/relay.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'batch-size': { type: 'string' }, 'publish-delay-ms': { type: 'string' } },
});
const [storeUrl, natsUrl, stream, subject] = positionals;
if (storeUrl === undefined || natsUrl === undefined || stream === undefined || subject === undefined) {
  console.error('usage: outbox-relay <store-url> <nats-url> <stream> <subject> [--batch-size <n>] [--publish-delay-ms <n>]');
  process.exit(2);
}

const nats = natsPublisher({ url: natsUrl, stream, subjects: [subject] });
const publishDelayMs = Number(values['publish-delay-ms'] ?? 0);
const publisher: Publisher = {
  async publish(message) {
    if (publishDelayMs > 0) await sleep(publishDelayMs);
    await nats.publish(message);
  },
  close: () => nats.close(),
};

const store = await openEventStore(storeUrl);
const relay = startOutboxRelay(store, {
  publisher,
  batchSize: values['batch-size'] === undefined ? undefined : Number(values['batch-size']),
  leaseRetryMs: 200,
  logger: { warn: (message) => console.error(message) },
});
console.log('running');

process.once('SIGTERM', () => {
  void (async () => {
    await relay.stop();
    await publisher.close();
    await store.close();
    console.log(JSON.stringify({ stopped: true }));
  })();
});
