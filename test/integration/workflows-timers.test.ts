// Timers on every store, with a fake clock: never before due, once at due, once after
// downtime with its lateness recorded, never when cancelled; two runtimes on one store
// never fire one timer twice, and a timer claimed by a process that died is fired by
// the other once the claim runs out.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { EventStore } from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import { TIMERS, tablesOf } from '../../src/workflows/tables.js';
import { fakeClock, HOUR, orderFlow, paid, placed, shopCommands, startTestWorkflows, typesOf } from '../fixtures/workflows.js';

const firedIn = async (store: EventStore, streamId: string) => (await typesOf(store, streamId)).filter((t) => t === 'TimerFired').length;
const timerRows = (store: EventStore) => store.readModels.transaction(tablesOf(store.readModels), (db) => db.all(`SELECT timer_id FROM {${TIMERS}}`));

onEveryStore(
  (name) => `workflow timers on ${name}`,
  (backend) => {
    test('given an order placed, then its payment timer does not fire 1 ms before due, fires once at due, and never again', () =>
      backend.withStore(async (store) => {
        const clock = fakeClock();
        const due = clock.now() + HOUR;
        const workflows = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        await store.appendToStream('order-o1', [placed('o1')]);
        await workflows.idle();
        clock.set(due - 1);
        assert.equal(await workflows.runDueTimers(), 0);
        assert.equal((await workflows.show('workflow-order-o1')).timers[0]!.state, 'scheduled');
        clock.set(due);
        assert.equal(await workflows.runDueTimers(), 1);
        await workflows.idle();
        assert.equal(await workflows.runDueTimers(), 0);
        const detail = await workflows.show('workflow-order-o1');
        assert.deepEqual(detail.timers.map((t) => [t.state, t.latenessMs]), [['fired', 0]]);
        assert.equal(detail.status, 'compensated');
        assert.equal(detail.reason, 'no payment within the hour');
        assert.equal(await firedIn(store, 'workflow-order-o1'), 1);
        assert.deepEqual(await timerRows(store), []);
        await workflows.stop();
      }));

    test('given a timer due while no process ran, then the next process fires it once, recording how late it is', () =>
      backend.withStore(async (store) => {
        const clock = fakeClock();
        let workflows = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        await store.appendToStream('order-o1', [placed('o1')]);
        await workflows.idle();
        await workflows.stop();
        clock.advance(5 * HOUR);
        workflows = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        await workflows.idle();
        const timer = (await workflows.show('workflow-order-o1')).timers[0]!;
        assert.equal(timer.state, 'fired');
        assert.equal(timer.latenessMs, 4 * HOUR);
        assert.equal(timer.firedAt, new Date(clock.now()).toISOString());
        assert.equal(await firedIn(store, 'workflow-order-o1'), 1);
        await workflows.stop();
      }));

    test('given an order paid in time, then its cancelled payment timer never fires', () =>
      backend.withStore(async (store) => {
        const clock = fakeClock();
        const workflows = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        await store.appendToStream('order-o1', [placed('o1')]);
        await workflows.idle();
        await store.appendToStream('order-o1', [paid('o1')]);
        await workflows.idle();
        clock.advance(3 * HOUR);
        assert.equal(await workflows.runDueTimers(), 0);
        await workflows.idle();
        assert.deepEqual((await workflows.show('workflow-order-o1')).timers.map((t) => t.state), ['cancelled']);
        assert.equal(await firedIn(store, 'workflow-order-o1'), 0);
        assert.deepEqual(await timerRows(store), []);
        await workflows.stop();
      }));

    test('given two runtimes on one store, when both fire due timers at once, then each timer fires exactly once', () =>
      backend.withStore(async (store) => {
        const clock = fakeClock();
        const orders = Array.from({ length: 8 }, (_, i) => `o${i}`);
        const first = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        const second = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        for (const order of orders) await store.appendToStream(`order-${order}`, [placed(order)]);
        await first.idle();
        await second.idle();
        clock.advance(HOUR);
        const fired = await Promise.all([first.runDueTimers(), second.runDueTimers(), first.runDueTimers(), second.runDueTimers()]);
        assert.equal(fired.reduce((a, b) => a + b, 0), orders.length);
        await first.idle();
        await second.idle();
        for (const order of orders) assert.equal(await firedIn(store, `workflow-order-${order}`), 1, order);
        await Promise.all([first.stop(), second.stop()]);
      }));

    test('given a process that claimed a due timer and died, then another process fires it once the claim runs out', () =>
      backend.withStore(async (store) => {
        const clock = fakeClock();
        const dying = startTestWorkflows(store, [orderFlow], {
          clock,
          commands: shopCommands(store),
          timerClaimMs: 150,
          faults: { beforeCheckpoint: (point) => { if (point.kind === 'timer') throw new Error('the process died'); } },
        });
        await store.appendToStream('order-o1', [placed('o1')]);
        await dying.idle();
        clock.advance(HOUR);
        await assert.rejects(dying.runDueTimers(), /the process died/);
        await dying.stop();

        const other = startTestWorkflows(store, [orderFlow], { clock, commands: shopCommands(store) });
        assert.equal(await other.runDueTimers(), 0, 'the claim still holds');
        await sleep(200);
        assert.equal(await other.runDueTimers(), 1);
        await other.idle();
        assert.equal(await firedIn(store, 'workflow-order-o1'), 1);
        await other.stop();
      }));
  },
);
