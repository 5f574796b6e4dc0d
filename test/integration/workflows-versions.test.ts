// Versions on every store: an instance stays on the version it started on while that
// version is registered, new instances start on the newest, and an instance whose
// version is gone parks. verify lists the running instances a changed definition
// would decide otherwise, and only those. handleCommand's commandId makes a resend a no-op.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineWorkflow, DomainError, handleCommand, schedule, send } from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import { fakeClock, HOUR, orderDefinition, orderFlow, paid, placed, shopCommands, shopDecider, startTestWorkflows } from '../fixtures/workflows.js';

/** Version 2 gives a customer two hours to pay. */
const orderFlowV2 = defineWorkflow({
  ...orderDefinition,
  version: 2,
  decide: (input, state, context) =>
    input.type === 'OrderPlaced'
      ? [send({ type: 'ReserveStock', orderId: state.orderId! }, { compensation: { type: 'ReleaseStock', orderId: state.orderId! } }), schedule({ name: 'payment-due', after: 2 * HOUR })]
      : orderDefinition.decide(input, state, context),
});

onEveryStore(
  (name) => `workflow versions on ${name}`,
  (backend) => {
    test('given an order started on v1, when v2 is deployed beside v1, then it goes on with v1 while new orders start on v2; without v1 it parks', () =>
      backend.withStore(async (store) => {
        const clock = fakeClock();
        let workflows = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        await store.appendToStream('order-o1', [placed('o1')]);
        await store.appendToStream('order-o3', [placed('o3')]);
        await workflows.idle();
        await workflows.stop();

        workflows = startTestWorkflows(store, [orderFlow, orderFlowV2], { clock, commands: shopCommands(store) });
        await store.appendToStream('order-o2', [placed('o2')]);
        await store.appendToStream('order-o1', [paid('o1')]);
        await workflows.idle();
        const o1 = await workflows.show('workflow-order-o1');
        assert.deepEqual([o1.version, o1.definitionHash, o1.status], [1, orderFlow.hash, 'completed']);
        const o2 = await workflows.show('workflow-order-o2');
        assert.equal(o2.version, 2);
        assert.equal(o2.timers[0]!.dueAt, new Date(clock.now() + 2 * HOUR).toISOString());
        await workflows.stop();

        workflows = startTestWorkflows(store, [orderFlowV2], { clock, commands: shopCommands(store) });
        await store.appendToStream('order-o3', [paid('o3')]);
        await workflows.idle();
        const o3 = await workflows.show('workflow-order-o3');
        assert.equal(o3.status, 'parked');
        assert.equal(o3.error, 'version 1 of workflow order is not registered in this process');
        assert.equal(o3.inputs.at(-1)!.status, 'waiting');
        await workflows.stop();
      }));

    test('verify lists a running instance that a changed definition would decide otherwise, and not one it would decide the same', () =>
      backend.withStore(async (store) => {
        const workflows = startTestWorkflows(store, [orderFlow], { commands: shopCommands(store) });
        await store.appendToStream('order-o1', [placed('o1')]);
        await workflows.idle();
        // The same behaviour written otherwise: another hash, the same decisions.
        const rewritten = defineWorkflow({ ...orderDefinition, decide: (input, state, context) => [...orderDefinition.decide(input, state, context)] });
        assert.notEqual(rewritten.hash, orderFlow.hash);
        assert.deepEqual(await workflows.verify([rewritten]), { checked: 1, differences: [] });
        const longer = defineWorkflow({ ...orderFlowV2, version: 1 });
        const report = await workflows.verify([longer]);
        assert.equal(report.checked, 1);
        assert.deepEqual(report.differences.map((d) => [d.streamId, d.kind]), [['workflow-order-o1', 'outputs']]);
        await workflows.stop();
      }));

    test('given a command handled with a commandId, when it is sent again, then nothing more is written, even though the decider would now refuse it', () =>
      backend.withStore(async (store) => {
        const commandId = '0195e7a0-0000-7000-8000-00000000c0de';
        const command = { type: 'ReserveStock', orderId: 'o1' };
        const first = await handleCommand(store, 'shop-o1', shopDecider, command, { commandId });
        assert.equal(first.events.length, 1);
        const again = await handleCommand(store, 'shop-o1', shopDecider, command, { commandId });
        assert.deepEqual(again.events, []);
        assert.equal(again.nextExpectedVersion, 1);
        await assert.rejects(handleCommand(store, 'shop-o1', shopDecider, command, { commandId: '0195e7a0-0000-7000-8000-00000000beef' }), DomainError);
        assert.equal((await store.readStream('shop-o1')).length, 1);
      }));
  },
);
