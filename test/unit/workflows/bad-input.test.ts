// Bad input to workflows is refused with a typed error, naming the field, and nothing
// is written: a definition, an output, a retry of an instance that is not parked, and
// a show of a stream that is not an instance.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defineWorkflow, DomainError, openEventStore, schedule, send, publish, startWorkflows, ValidationError, workflowControls } from '../../../src/index.js';
import { workflowSpec } from '../../../src/testing/index.js';
import { orderDefinition, orderFlow, placed, shopCommands, startTestWorkflows } from '../../fixtures/workflows.js';

const refusedFor = (field: string) => (error: unknown) => error instanceof ValidationError && error.field === field;

describe('bad workflow input', () => {
  test('defineWorkflow refuses a bad name, no inputs, startedBy outside the inputs, and a missing function', () => {
    assert.throws(() => defineWorkflow({ ...orderDefinition, name: 'Order Flow' }), refusedFor('name'));
    assert.throws(() => defineWorkflow({ ...orderDefinition, inputs: [] }), refusedFor('inputs'));
    assert.throws(() => defineWorkflow({ ...orderDefinition, inputs: [''] }), refusedFor('inputs[0]'));
    assert.throws(() => defineWorkflow({ ...orderDefinition, startedBy: ['Shipped'] }), refusedFor('startedBy'));
    assert.throws(() => defineWorkflow({ ...orderDefinition, decide: undefined as never }), refusedFor('decide'));
    assert.throws(() => defineWorkflow({ ...orderDefinition, version: 0 }), refusedFor('version'));
  });

  test('outputs refuse schedule with both at and after (or neither), a negative delay, a bad subject and a command without a type', () => {
    assert.throws(() => schedule({ name: 'reminder', at: Date.now(), after: 10 }), refusedFor('schedule'));
    assert.throws(() => schedule({ name: 'reminder' }), refusedFor('schedule'));
    assert.throws(() => schedule({ name: 'reminder', after: -1 }), refusedFor('after'));
    assert.throws(() => schedule({ name: 'reminder', at: 'not a time' }), refusedFor('at'));
    assert.throws(() => publish('blog..reviews', {}), refusedFor('publish.subject'));
    assert.throws(() => send({ orderId: 'o1' } as never), refusedFor('command.type'));
  });

  test('startWorkflows refuses bad options, naming each, before anything runs or is written', async () => {
    const store = await openEventStore('memory:');
    const refused: [Record<string, unknown>, string][] = [
      [{ batchSize: 0 }, 'batchSize'],
      [{ concurrency: 1.5 }, 'concurrency'],
      [{ commands: { ReserveStock: 'later' } }, 'commands.ReserveStock'],
      [{ clock: {} }, 'clock'],
      [{ retryDelaysMs: [10, -1] }, 'retryDelaysMs[1]'],
      [{ pollIntervalMs: 0 }, 'pollIntervalMs'],
      [{ timerClaimMs: 'soon' }, 'timerClaimMs'],
    ];
    for (const [options, field] of refused) assert.throws(() => startWorkflows(store, [orderFlow], options as never), refusedFor(field));
    assert.equal((await store.stats()).events, 0);
    await store.close();
  });

  test('decide returning what is not a list of outputs is a ValidationError of the step', () => {
    workflowSpec(defineWorkflow({ ...orderDefinition, decide: () => 'ship it' as never })).given([]).when(placed('o1')).thenThrows({ name: 'ValidationError', field: 'decide' });
    workflowSpec(defineWorkflow({ ...orderDefinition, decide: () => [null] as never })).given([]).when(placed('o1')).thenThrows({ name: 'ValidationError', field: 'outputs[0]' });
  });

  test('retry of an instance that is not parked is a DomainError, and show of a stream that is not an instance a ValidationError; nothing is written', async () => {
    const store = await openEventStore('memory:');
    try {
      const workflows = startTestWorkflows(store, [orderFlow], { commands: shopCommands(store) });
      await store.appendToStream('order-o1', [placed('o1')]);
      await workflows.idle();
      await workflows.stop();
      const controls = workflowControls(store, [orderFlow]);
      const head = await store.headPosition();
      await assert.rejects(controls.retry('workflow-order-o1'), (error) => error instanceof DomainError && /is not parked \(it is running\)/.test(error.message));
      await assert.rejects(controls.show('order-o1'), refusedFor('id'));
      await assert.rejects(controls.retry('order-o1'), refusedFor('id'));
      await assert.rejects(controls.list({ status: 'lost' }), refusedFor('status'));
      assert.equal(await store.headPosition(), head);
    } finally {
      await store.close();
    }
  });
});
