// The outbox relay traced, against a real NATS server, on every store: a message
// recorded by a traced append is published in a span under that append, and reaches
// the broker with a traceparent header naming the publish span, so a consumer can
// continue the trace.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import { natsPublisher, startOutboxRelay } from '../../src/index.js';
import { natsTestStreams } from '../../src/testing/nats.js';
import { onEveryStore } from '../../src/testing/index.js';
import { appendOutboxMessages, eventually, jetStreamMessages, withNats } from '../fixtures/outbox.js';
import { spanText, startTestTelemetry } from '../fixtures/telemetry.js';

await withNats('the outbox relay traced against NATS', (url) => {
  const streams = natsTestStreams(url);
  after(() => streams.deleteAll());

  onEveryStore(
    (name) => `the outbox relay traced on ${name}`,
    (backend) => {
      test('each message is published under the append that recorded it, and carries traceparent to the broker', () =>
        backend.withStore(async (store) => {
          const telemetry = startTestTelemetry();
          const { stream, prefix } = streams.fresh();
          const publisher = natsPublisher({ url, stream, subjects: [`${prefix}.>`] });
          try {
            // Given two messages recorded by one append, inside a span of the application's.
            await trace.getTracer('test').startActiveSpan('emit', async (span) => {
              await appendOutboxMessages(store, `${prefix}.posts.published`, 2, 1, 2);
              span.end();
            });
            // When the relay publishes them.
            const relay = startOutboxRelay(store, { publisher, logger: { warn: () => {} } });
            try {
              await eventually(async () => (await relay.status()).undelivered === 0, 'the relay delivered everything');
            } finally {
              await relay.stop();
            }

            // Then each publish span is a producer under the append, and the broker has its traceparent.
            const spans = telemetry.spans();
            const append = spans.find((s) => s.name === 'eventline.append')!;
            const publishes = spans.filter((s) => s.name === 'eventline.outbox.publish');
            assert.equal(publishes.length, 2, publishes.map((p) => JSON.stringify([p.attributes, p.status, p.parentSpanContext?.spanId])).join("\n"));
            for (const publish of publishes) {
              assert.equal(publish.parentSpanContext?.spanId, append.spanContext().spanId);
              assert.equal(publish.spanContext().traceId, append.spanContext().traceId);
              assert.equal(publish.kind, SpanKind.PRODUCER);
              assert.deepEqual([publish.attributes['eventline.consumer'], publish.attributes['eventline.stream.category']], ['outbox', 'workflow']);
            }
            const messages = await jetStreamMessages(url, stream);
            assert.deepEqual(
              messages.map((m) => m.traceparent).sort(),
              publishes.map((p) => `00-${p.spanContext().traceId}-${p.spanContext().spanId}-01`).sort(),
            );
            assert.ok(spans.every((s) => !spanText(s).includes('workflow-review-p0') && !spanText(s).includes(prefix)), 'no stream id or subject in a span');
          } finally {
            await publisher.close();
            await telemetry.stop();
          }
        }));
    },
  );
});
