// The workflow runtime on every store: an input read twice is taken once, with the
// checkpoint moving in the step's own transaction; compensation undoes completed steps
// newest first; a failing decide or command handler parks the instance until retry;
// an input after the end is recorded and ignored.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineWorkflow, DomainError, send, type EventStore } from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import { CHECKPOINTS, tablesOf } from '../../src/workflows/tables.js';
import { cancelled, fakeClock, orderDefinition, orderFlow, paid, placed, shopCommands, startTestWorkflows, typesOf } from '../fixtures/workflows.js';

async function checkpointOf(store: EventStore, name: string): Promise<number> {
  const row = await store.readModels.transaction(tablesOf(store.readModels), (db) => db.get<{ position: number | string }>(`SELECT position FROM {${CHECKPOINTS}} WHERE name = $1`, [name]));
  return Number(row?.position ?? 0);
}

/** A workflow that notes each Tick it gets; its decide throws while `broken.decide` is set. */
const broken = { decide: false };
const ticker = defineWorkflow<number[]>({
  name: 'ticker',
  inputs: ['Tick'],
  correlate: (event) => (event.data as { id: string }).id,
  initialState: () => [],
  evolve: (seen, event) => (event.type === 'Tick' ? [...seen, (event.data as { n: number }).n] : seen),
  decide(input) {
    if (input.type !== 'Tick') return [];
    if (broken.decide) throw new Error('the tick service is down');
    return [send({ type: 'Note', n: (input.data as { n: number }).n })];
  },
});
const tick = (n: number) => ({ type: 'Tick', data: { id: 't1', n } });

onEveryStore(
  (name) => `the workflow runtime on ${name}`,
  (backend) => {
    test('given an order placed, when its input is read again from the log, then nothing is taken twice; the checkpoint moved with the step', () =>
      backend.withStore(async (store) => {
        const log: string[] = [];
        const atAppend: number[] = [];
        let workflows = startTestWorkflows(store, [orderFlow], {
          commands: shopCommands(store, log),
          faults: { afterAppend: async (point) => void (point.kind === 'event' && atAppend.push(await checkpointOf(store, 'order'))) },
        });
        const { lastPosition } = await store.appendToStream('order-o1', [placed('o1')]);
        await workflows.idle();
        // The step that took the input committed the checkpoint with it, not later at the end of a page.
        assert.deepEqual(atAppend, [lastPosition]);
        const before = await typesOf(store, 'workflow-order-o1');
        await workflows.stop();

        await store.readModels.transaction(tablesOf(store.readModels), (db) => db.run(`UPDATE {${CHECKPOINTS}} SET position = 0`));
        workflows = startTestWorkflows(store, [orderFlow], { commands: shopCommands(store, log) });
        await workflows.idle();
        assert.deepEqual(await typesOf(store, 'workflow-order-o1'), before);
        assert.deepEqual(log, ['ReserveStock o1']);
        assert.equal((await workflows.show('workflow-order-o1')).inputs.filter((i) => i.type === 'OrderPlaced').length, 1);
        await workflows.stop();
      }));

    test('given a step whose transaction fails before its checkpoint, then neither the step nor the checkpoint is written, and a restart takes it', () =>
      backend.withStore(async (store) => {
        let attempts = 0;
        let workflows = startTestWorkflows(store, [orderFlow], {
          commands: shopCommands(store),
          faults: { beforeCheckpoint: () => { attempts++; throw new Error('the process died'); } },
        });
        await workflows.list();
        const { lastPosition } = await store.appendToStream('order-o1', [placed('o1')]);
        while (attempts === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        await workflows.stop();
        assert.deepEqual(await typesOf(store, 'workflow-order-o1'), []);
        assert.equal(await checkpointOf(store, 'order'), 0);

        workflows = startTestWorkflows(store, [orderFlow], { commands: shopCommands(store) });
        await workflows.idle();
        assert.equal((await typesOf(store, 'workflow-order-o1'))[0], 'WorkflowStarted');
        assert.ok((await checkpointOf(store, 'order')) >= lastPosition);
        await workflows.stop();
      }));

    test('given a shipment refused after payment, then the refund and the stock release run newest first, and the order ends compensated', () =>
      backend.withStore(async (store) => {
        const log: string[] = [];
        const workflows = startTestWorkflows(store, [orderFlow], { commands: shopCommands(store, log) });
        await store.appendToStream('order-x', [placed('unshippable')]);
        await workflows.idle();
        await store.appendToStream('order-x', [paid('unshippable')]);
        await workflows.idle();
        assert.deepEqual(log, ['ReserveStock unshippable', 'ChargePayment unshippable', 'ShipOrder unshippable', 'RefundPayment unshippable', 'ReleaseStock unshippable']);
        const detail = await workflows.show('workflow-order-unshippable');
        assert.equal(detail.status, 'compensated');
        assert.equal(detail.reason, 'this order cannot ship');
        await workflows.stop();
      }));

    test('given a refund the payment service refuses, then the order ends failed, naming the compensation', () =>
      backend.withStore(async (store) => {
        const commands = shopCommands(store, [], { RefundPayment: async () => { throw new DomainError('the card is closed'); } });
        const workflows = startTestWorkflows(store, [orderFlow], { commands });
        await store.appendToStream('order-x', [placed('unshippable'), paid('unshippable')]);
        await workflows.idle();
        const detail = await workflows.show('workflow-order-unshippable');
        assert.equal(detail.status, 'failed');
        assert.equal(detail.reason, 'compensation RefundPayment was refused: the card is closed');
        assert.equal(detail.commands.find((c) => c.command.type === 'ReleaseStock'), undefined);
        await workflows.stop();
      }));

    test('given a decide that throws, then it is retried, the instance parks with its error, later inputs wait, and retry takes them in order', () =>
      backend.withStore(async (store) => {
        const notes: number[] = [];
        const warnings: string[] = [];
        const workflows = startTestWorkflows(store, [ticker], { warnings, commands: { Note: async (c) => void notes.push(c.n as number) } });
        await store.appendToStream('ticks', [tick(1)]);
        await workflows.idle();
        broken.decide = true;
        try {
          await store.appendToStream('ticks', [tick(2)]);
          await workflows.idle();
          await store.appendToStream('ticks', [tick(3)]);
          await workflows.idle();
        } finally {
          broken.decide = false;
        }
        let detail = await workflows.show('workflow-ticker-t1');
        assert.equal(detail.status, 'parked');
        assert.equal(detail.error, 'the tick service is down');
        assert.deepEqual(detail.inputs.map((i) => i.status), ['decided', 'decided', 'waiting', 'waiting']);
        assert.deepEqual(warnings, ['workflow instance workflow-ticker-t1 is parked until retried']);
        assert.deepEqual((await workflows.list({ status: 'parked' })).map((r) => r.streamId), ['workflow-ticker-t1']);

        await workflows.retry('workflow-ticker-t1');
        await workflows.idle();
        detail = await workflows.show('workflow-ticker-t1');
        assert.equal(detail.status, 'running');
        assert.deepEqual(detail.state, [1, 2, 3]);
        assert.deepEqual(notes, [1, 2, 3]);
        await workflows.stop();
      }));

    test('given a decide that throws on the very first input, then the instance starts parked, and retry decides that input', () =>
      backend.withStore(async (store) => {
        const notes: number[] = [];
        const workflows = startTestWorkflows(store, [ticker], { warnings: [], commands: { Note: async (c) => void notes.push(c.n as number) } });
        broken.decide = true;
        try {
          await store.appendToStream('ticks', [tick(1)]);
          await workflows.idle();
        } finally {
          broken.decide = false;
        }
        const parked = await workflows.show('workflow-ticker-t1');
        assert.deepEqual([parked.status, parked.version], ['parked', 1]);

        await workflows.retry('workflow-ticker-t1');
        await workflows.idle();
        const detail = await workflows.show('workflow-ticker-t1');
        assert.equal(detail.status, 'running');
        assert.deepEqual(detail.state, [1]);
        assert.deepEqual(notes, [1]);
        await workflows.stop();
      }));

    test('given a command handler that keeps failing, then the instance parks, and retry delivers the command', () =>
      backend.withStore(async (store) => {
        let down = true;
        const notes: number[] = [];
        const workflows = startTestWorkflows(store, [ticker], {
          commands: { Note: async (c) => { if (down) throw new Error('the note service is down'); notes.push(c.n as number); } },
        });
        await store.appendToStream('ticks', [tick(1)]);
        await workflows.idle();
        const parked = await workflows.show('workflow-ticker-t1');
        assert.equal(parked.status, 'parked');
        assert.equal(parked.error, 'command Note failed: the note service is down');
        assert.equal(parked.commands[0]!.outcome, 'pending');
        down = false;
        await workflows.retry('workflow-ticker-t1');
        await workflows.idle();
        const detail = await workflows.show('workflow-ticker-t1');
        assert.equal(detail.status, 'running');
        assert.equal(detail.commands[0]!.outcome, 'succeeded');
        assert.deepEqual(notes, [1]);
        await workflows.stop();
      }));

    test('given an order that ended, when it is cancelled, then the input is recorded as ignored and told to onLate, never thrown', () =>
      backend.withStore(async (store) => {
        const late: string[] = [];
        const flow = defineWorkflow({ ...orderDefinition, onLate: (input) => { late.push(input.type); throw new Error('onLate only observes'); } });
        const warnings: string[] = [];
        const workflows = startTestWorkflows(store, [flow], { warnings, commands: shopCommands(store) });
        await store.appendToStream('order-o1', [placed('o1'), paid('o1')]);
        await workflows.idle();
        assert.equal((await workflows.show('workflow-order-o1')).status, 'completed');
        await store.appendToStream('order-o1', [cancelled('o1')]);
        await workflows.idle();
        const detail = await workflows.show('workflow-order-o1');
        assert.equal(detail.status, 'completed');
        assert.deepEqual(detail.inputs.at(-1)!.status, 'ignored');
        assert.deepEqual((await typesOf(store, 'workflow-order-o1')).at(-1), 'WorkflowInputIgnored');
        assert.deepEqual(late, ['OrderCancelled']);
        assert.deepEqual(warnings, []);
        await workflows.stop();
      }));

    test('given a fake clock, the whole story of an order is told by show', () =>
      backend.withStore(async (store) => {
        const clock = fakeClock();
        const workflows = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        await store.appendToStream('order-o1', [placed('o1')]);
        await workflows.idle();
        const detail = await workflows.show('workflow-order-o1');
        assert.equal(detail.version, 1);
        assert.equal(detail.definitionHash, orderFlow.hash);
        assert.deepEqual(detail.timers.map((t) => [t.name, t.state, t.dueAt]), [['payment-due', 'scheduled', new Date(clock.now() + 3600_000).toISOString()]]);
        assert.deepEqual(detail.outputs.map((o) => o.type), ['WorkflowCommandSent', 'TimerScheduled']);
        await workflows.stop();
      }));
  },
);
