// The workflow runtime traced, on every store: a due timer fires in a trace of its
// own with the step it takes under it, and the timers it found due are measured; an
// instance whose command keeps failing is parked and counted.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onEveryStore } from '../../src/testing/index.js';
import { fakeClock, HOUR, orderFlow, placed, shopCommands, startTestWorkflows } from '../fixtures/workflows.js';
import { metricsByName, startTestTelemetry } from '../fixtures/telemetry.js';

onEveryStore(
  (name) => `workflows traced on ${name}`,
  (backend) => {
    test('given an order placed, when its payment timer comes due, then eventline.timer.fire holds the timer step, in a trace of its own', () =>
      backend.withStore(async (store) => {
        const telemetry = startTestTelemetry();
        const clock = fakeClock();
        const workflows = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        try {
          await store.appendToStream('order-o1', [placed('o1')]);
          await workflows.idle();
          clock.advance(HOUR);
          assert.equal(await workflows.runDueTimers(), 1);

          const spans = telemetry.spans();
          const fire = spans.find((s) => s.name === 'eventline.timer.fire');
          assert.ok(fire, spans.map((s) => s.name).join());
          assert.equal(fire.parentSpanContext, undefined, 'a trace of its own');
          assert.deepEqual(fire.attributes, { 'eventline.workflow': 'order' });
          const step = spans.find((s) => s.name === 'eventline.workflow.step' && s.parentSpanContext?.spanId === fire.spanContext().spanId);
          assert.deepEqual(step?.attributes, { 'eventline.workflow': 'order', 'eventline.workflow.step.kind': 'timer' });
          // The step the order's event started continues the trace of the append that wrote it.
          const placedAppend = spans.find((s) => s.name === 'eventline.append' && s.attributes['eventline.stream.category'] === 'order')!;
          const firstStep = spans.find((s) => s.name === 'eventline.workflow.step' && s.attributes['eventline.workflow.step.kind'] === 'event');
          assert.equal(firstStep?.parentSpanContext?.spanId, placedAppend.spanContext().spanId);

          const overdue = (await metricsByName(telemetry)).get('eventline.workflow.timers.overdue') ?? [];
          assert.deepEqual(overdue.map((p) => p.attributes), [{ 'eventline.workflow': 'order' }]);
        } finally {
          await workflows.stop();
          await telemetry.stop();
        }
      }));

    test('given a command that keeps failing, then its instance is parked and counted', () =>
      backend.withStore(async (store) => {
        const telemetry = startTestTelemetry();
        const commands = shopCommands(store, [], { ReserveStock: async () => Promise.reject(new Error('the warehouse is down')) });
        const workflows = startTestWorkflows(store, [orderFlow], { commands });
        try {
          await store.appendToStream('order-o2', [placed('o2')]);
          await workflows.idle();
          assert.equal((await workflows.show('workflow-order-o2')).status, 'parked');
          const parked = (await metricsByName(telemetry)).get('eventline.workflow.parked') ?? [];
          assert.deepEqual(parked, [{ attributes: { 'eventline.workflow': 'order' }, value: 1 }]);
        } finally {
          await workflows.stop();
          await telemetry.stop();
        }
      }));
  },
);
