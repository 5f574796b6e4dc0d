// One trace from an HTTP command on the Lab, on every store: submitting a post for
// review is a server span, the command under it, the append under that, then the
// projection batch that applies the post's events and the review workflow's step,
// both continuing the trace from the context the append left in the events' metadata.
// No span says anything of the post's title or body, or of its author (name, email,
// id), and none names a full stream id.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { TRACE_METADATA_KEY } from '../../src/index.js';
import { eventually, onEveryPrivateStore } from '../e2e/lab/support.js';
import { metricsByName, spanText, startTestTelemetry } from '../fixtures/telemetry.js';

const AUTHOR = { name: 'Grace Quillfeather', email: 'grace.quill@example.org' };
const POST = { postId: 'telemetry-7f3c', title: 'Seventeen ways to fold a ledger', body: 'A body nobody should find in a span: zebra-orchid-42.' };

async function call<Body>(app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>): Promise<{ status: number; body: Body }> {
  const response = await app.inject({ method, url, ...(payload !== undefined && { payload }) });
  return { status: response.statusCode, body: response.json() as Body };
}

const named = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

onEveryPrivateStore((name) => `telemetry through the Lab on ${name}`, (withPrivateLab) => {
  test('a post submitted for review is one trace: request, command, append, projection batch and workflow step; no payload in any span', () =>
    withPrivateLab(async (app, store) => {
      const telemetry = startTestTelemetry();
      try {
        // Given an author and a draft.
        const author = await call<{ authorId: string }>(app, 'POST', '/api/authors', AUTHOR);
        assert.equal(author.status, 201, JSON.stringify(author.body));
        const { authorId } = author.body;
        const created = await call(app, 'POST', '/api/posts', { ...POST, authorId });
        assert.equal(created.status, 201, JSON.stringify(created.body));

        // When it is submitted for review.
        const submitted = await call(app, 'POST', `/api/posts/${POST.postId}/submit`);
        assert.equal(submitted.status, 200, JSON.stringify(submitted.body));

        // Then one trace holds the request and everything that followed from it.
        const request = await eventually('the submit request span', async () => named(telemetry.spans(), 'POST /api/posts/:id/submit')[0]);
        const traceId = request.spanContext().traceId;
        const inTrace = () => telemetry.spans().filter((s) => s.spanContext().traceId === traceId);
        const step = await eventually('the review workflow step', async () => named(inTrace(), 'eventline.workflow.step').find((s) => s.attributes['eventline.workflow.step.kind'] === 'event'));
        const spans = inTrace();

        const command = named(spans, 'eventline.command').find((s) => s.parentSpanContext?.spanId === idOf(request));
        assert.ok(command, 'the command under the request');
        assert.equal(command.attributes['eventline.command.type'], 'SubmitPostForReview');
        const append = named(spans, 'eventline.append').find((s) => s.parentSpanContext?.spanId === idOf(command));
        assert.ok(append, 'the append under the command');
        assert.deepEqual(append.attributes['eventline.event.types'], ['PostSubmittedForReview']);

        const submittedEvent = (await store.readStream(`post-${POST.postId}`)).find((e) => e.type === 'PostSubmittedForReview');
        assert.equal((submittedEvent!.metadata?.[TRACE_METADATA_KEY] as { traceparent: string }).traceparent, `00-${traceId}-${idOf(append)}-01`);

        const batch = named(spans, 'eventline.projection.batch').find((s) => s.links.some((l) => l.context.spanId === idOf(append)));
        assert.ok(batch, `a projection batch linked to the append: ${named(telemetry.spans(), 'eventline.projection.batch').map((s) => JSON.stringify(s.attributes)).join(' ')}`);
        assert.equal(batch.attributes['eventline.consumer.kind'], 'projection');
        assert.ok(batch.attributes['eventline.position.last']! >= append.attributes['eventline.position.last']!);

        assert.equal(step.parentSpanContext?.spanId, idOf(append), 'the step continues from the append');
        assert.deepEqual([step.attributes['eventline.workflow'], step.attributes['eventline.event.types']], ['review', ['PostSubmittedForReview']]);
        // The step sent StartReview: its command runs in the same trace.
        await eventually('the StartReview command in the trace', async () => named(inTrace(), 'eventline.command').find((s) => s.attributes['eventline.command.type'] === 'StartReview'));

        // And no span, in this trace or any other, says what the post or its author are.
        const secrets = [POST.title, POST.body, 'zebra-orchid', AUTHOR.name, AUTHOR.email, authorId, authorId.slice('author-'.length), POST.postId];
        for (const span of telemetry.spans()) {
          const text = spanText(span);
          for (const secret of secrets) assert.ok(!text.includes(secret), `${span.name} holds ${JSON.stringify(secret)}: ${text}`);
        }

        const metrics = await metricsByName(telemetry);
        assert.ok((metrics.get('eventline.append.events') ?? []).some((p) => p.attributes['eventline.stream.category'] === 'post'));
        assert.ok((metrics.get('eventline.consumer.lag') ?? []).some((p) => p.attributes['eventline.consumer.kind'] === 'projection'));
      } finally {
        await telemetry.stop();
      }
    }));
});
