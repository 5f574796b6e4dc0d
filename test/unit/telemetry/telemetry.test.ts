// Eventline's telemetry facade on a memory store: off while no provider is registered
// (nothing recorded, metadata as written), on once the SDK is registered (spans with
// the frozen names, the append's trace context in each event's metadata, metrics),
// and off again when it is removed. The names are frozen here.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  handleCommand,
  openEventStore,
  TELEMETRY_ATTRIBUTES,
  TELEMETRY_METRICS,
  TELEMETRY_SPANS,
  TRACE_METADATA_KEY,
  ValidationError,
  type Decider,
  type EventStore,
} from '../../../src/index.js';
import { categoryOf } from '../../../src/telemetry/names.js';
import { activeMeter, activeTracer, api, loadApi } from '../../../src/telemetry/otel.js';
import { carrierOf, spanContextOf, withTraceMetadata } from '../../../src/telemetry/trace-context.js';
import { metricsByName, spanText, startTestTelemetry, type TestTelemetry } from '../../fixtures/telemetry.js';

type Counter = { count: number };
type Increment = { type: 'Increment'; by: number };
const counter: Decider<Counter, Increment, { type: 'Incremented'; data: { by: number } }> = {
  initialState: () => ({ count: 0 }),
  evolve: (state, event) => ({ count: state.count + event.data.by }),
  decide: (command) => [{ type: 'Incremented', data: { by: command.by } }],
};

test('the names of spans, metrics and attributes are frozen', () => {
  assert.deepEqual(Object.values(TELEMETRY_SPANS), [
    'eventline.append',
    'eventline.read',
    'eventline.command',
    'eventline.projection.batch',
    'eventline.workflow.step',
    'eventline.timer.fire',
    'eventline.outbox.publish',
    'eventline.prune',
  ]);
  assert.deepEqual(Object.values(TELEMETRY_METRICS), [
    'eventline.append.duration',
    'eventline.append.events',
    'eventline.consumer.lag',
    'eventline.workflow.timers.overdue',
    'eventline.workflow.parked',
    'eventline.prune.reclaimed',
  ]);
  assert.deepEqual(Object.values(TELEMETRY_ATTRIBUTES), [
    'eventline.store',
    'eventline.stream.category',
    'eventline.event.types',
    'eventline.event.count',
    'eventline.position.first',
    'eventline.position.last',
    'eventline.read.kind',
    'eventline.command.type',
    'eventline.consumer',
    'eventline.consumer.kind',
    'eventline.consumer.lag',
    'eventline.workflow',
    'eventline.workflow.step.kind',
    'eventline.prune.dry_run',
    'eventline.prune.removed',
    'eventline.prune.reclaimed',
    'eventline.error.code',
  ]);
  assert.equal(TRACE_METADATA_KEY, '$trace');
});

test('a stream category is the id up to its first dash, and never the whole of an id without one', () => {
  assert.equal(categoryOf('post-0199aa'), 'post');
  assert.equal(categoryOf('workflow-review-p1'), 'workflow');
  assert.equal(categoryOf('ada@example.org'), '-');
  assert.equal(categoryOf('-x'), '-');
  assert.equal(categoryOf('$retention'), '$retention');
  assert.equal(categoryOf(42), '-');
});

test('without @opentelemetry/api the facade loads nothing and stays off', () => {
  const missing = loadApi(() => {
    throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
  });
  assert.equal(missing, undefined);
});

test('a trace context goes into metadata and back; anything else is no trace context', () => {
  const context = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, traceState: api!.createTraceState('vendor=x') };
  const carrier = carrierOf(context);
  assert.deepEqual(carrier, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=x' });
  const back = spanContextOf(api!, carrier)!;
  assert.deepEqual([back.traceId, back.spanId, back.traceFlags, back.isRemote, back.traceState?.serialize()], [context.traceId, context.spanId, 1, true, 'vendor=x']);
  for (const bad of [undefined, null, 'x', {}, { traceparent: 7 }, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra' }, { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` }, { traceparent: 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }]) {
    assert.equal(spanContextOf(api!, bad), undefined, JSON.stringify(bad));
  }
  // Events the append's checks refuse are left for them to refuse.
  const events = [{ type: 'A', data: 1 }, { type: 'B', data: 2, metadata: { correlationId: 'c' } }, null, { type: 'C', data: 3, metadata: [] }];
  assert.deepEqual(withTraceMetadata(events, carrier), [
    { type: 'A', data: 1, metadata: { $trace: carrier } },
    { type: 'B', data: 2, metadata: { correlationId: 'c', $trace: carrier } },
    null,
    { type: 'C', data: 3, metadata: [] },
  ]);
});

describe('on a memory store', () => {
  let store: EventStore;
  before(async () => (store = await openEventStore('memory:')));
  after(() => store.close());

  test('given no provider registered, when a command runs, then nothing is traced and the metadata is as written', async () => {
    assert.equal(activeTracer(), undefined);
    assert.equal(activeMeter(), undefined);
    await handleCommand(store, 'counter-off', counter, { type: 'Increment', by: 1 });
    const [event] = await store.readStream('counter-off');
    assert.equal(event!.metadata, undefined);
  });

  describe('with the SDK registered', () => {
    let telemetry: TestTelemetry;
    before(() => (telemetry = startTestTelemetry()));
    after(() => telemetry.stop());

    test('when a command runs, then its span holds the reads and the append, whose context each event carries', async () => {
      await handleCommand(store, 'counter-1', counter, { type: 'Increment', by: 2 });
      const spans = telemetry.spans();
      const command = spans.find((s) => s.name === 'eventline.command')!;
      const append = spans.find((s) => s.name === 'eventline.append')!;
      const reads = spans.filter((s) => s.name === 'eventline.read');
      assert.ok(command && append && reads.length >= 1, spans.map((s) => s.name).join());
      assert.equal(append.parentSpanContext?.spanId, command.spanContext().spanId);
      assert.ok(reads.every((r) => r.parentSpanContext?.spanId === command.spanContext().spanId));
      assert.deepEqual(command.attributes, {
        'eventline.store': 'memory',
        'eventline.stream.category': 'counter',
        'eventline.command.type': 'Increment',
        'eventline.event.count': 1,
        'eventline.event.types': ['Incremented'],
        'eventline.position.last': 2,
      });
      assert.deepEqual(append.attributes, {
        'eventline.store': 'memory',
        'eventline.stream.category': 'counter',
        'eventline.event.types': ['Incremented'],
        'eventline.event.count': 1,
        'eventline.position.last': 2,
      });
      const [event] = await store.readStream('counter-1');
      assert.deepEqual(event!.metadata, { [TRACE_METADATA_KEY]: carrierOf(append.spanContext()) });
      assert.ok(!spans.some((s) => spanText(s).includes('counter-1')), 'no span names the stream id');
    });

    test('when an append is refused, then its span says why by code, and nothing is written', async () => {
      await assert.rejects(store.appendToStream('counter-2', 'not events' as never), ValidationError);
      await assert.rejects(store.appendToStream('counter-2', [{ type: '', data: 1 }]), ValidationError);
      assert.deepEqual(await store.readStream('counter-2'), []);
      const failed = telemetry.spans().filter((s) => s.name === 'eventline.append' && s.status.code === api!.SpanStatusCode.ERROR);
      assert.deepEqual(failed.map((s) => s.attributes['eventline.error.code']), ['VALIDATION_FAILED', 'VALIDATION_FAILED']);
      assert.ok(failed.every((s) => s.status.message === undefined), 'no error message, which may quote a payload');
    });

    test('the appends are measured: their duration and their events, by store and category', async () => {
      const metrics = await metricsByName(telemetry);
      const durations = metrics.get('eventline.append.duration')!;
      const counted = metrics.get('eventline.append.events')!;
      assert.deepEqual(durations.map((p) => p.attributes), [{ 'eventline.store': 'memory', 'eventline.stream.category': 'counter' }]);
      assert.equal((durations[0]!.value as { count: number }).count, 3, 'one append written and two refused');
      assert.deepEqual(counted, [{ attributes: { 'eventline.store': 'memory', 'eventline.stream.category': 'counter' }, value: 1 }]);
    });
  });

  test('given the SDK removed again, when a command runs, then nothing is traced', async () => {
    assert.equal(activeTracer(), undefined);
    assert.equal(activeMeter(), undefined);
    await handleCommand(store, 'counter-3', counter, { type: 'Increment', by: 1 });
    assert.equal((await store.readStream('counter-3'))[0]!.metadata, undefined);
  });
});
