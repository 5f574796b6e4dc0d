// The fault harness on every store: an order flow with a timer and a compensation,
// crashed at the runtime's fault points, read again, and with independent orders'
// inputs swapped, ends as it does without faults. And the harness catches a command
// handler that is not idempotent.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { handleCommand, openEventStore, type EventStore } from '../../src/index.js';
import { onEveryStore, postgresTestUrl, runWorkflowFaults, type FaultScenarioContext, type TestStore } from '../../src/testing/index.js';
import { HOUR, orderFlow, paid, placed, shopCommands, shopDecider, START } from '../fixtures/workflows.js';

/** Three orders: one ships, one is not paid within the hour, one cannot ship and is compensated newest first. */
async function scenario(ctx: FaultScenarioContext): Promise<void> {
  await ctx.append('order-o1', [placed('o1')]);
  await ctx.append('order-o2', [placed('o2')]);
  await ctx.append('order-x', [placed('unshippable')]);
  await ctx.idle();
  await ctx.append('order-o1', [paid('o1')]);
  await ctx.append('order-x', [paid('unshippable')]);
  await ctx.idle();
  await ctx.advanceClock(HOUR);
  await ctx.idle();
}

const folder = await mkdtemp(join(tmpdir(), 'eventline-faults-'));
after(() => rm(folder, { recursive: true, force: true }));
let files = 0;
const postgres = process.env.EVENTLINE_POSTGRES_URL ? postgresTestUrl() : undefined;
if (postgres) after(() => postgres.dropAll());

/** A fresh store per run, of the backend's kind. */
function storesOf(backend: TestStore): () => Promise<EventStore> {
  if (backend.name === 'memory') return () => openEventStore('memory:');
  if (backend.name === 'SQLite') return () => openEventStore(`sqlite:${join(folder, `run-${++files}.db`)}`);
  return async () => openEventStore(await postgres!.freshUrl());
}

onEveryStore(
  (name) => `the workflow fault harness on ${name}`,
  (backend) => {
    test('given crashes at every fault point, redelivery and swapped inputs, then every run ends as the reference does', { timeout: 60_000 }, async () => {
      const result = await runWorkflowFaults({
        store: storesOf(backend),
        workflows: [orderFlow],
        commands: (store) => shopCommands(store),
        scenario,
        clock: START,
        // Every occurrence on memory; a spread of them where each run costs round trips.
        sample: backend.name === 'memory' ? undefined : 4,
      });
      assert.deepEqual(result.failed, []);
      const { instances } = result.reference.outcome;
      assert.deepEqual(instances.map((i) => [i.streamId, i.status]), [['workflow-order-o1', 'completed'], ['workflow-order-o2', 'compensated'], ['workflow-order-unshippable', 'compensated']]);
      for (const point of ['beforeCheckpoint', 'afterAppend', 'afterDispatch']) assert.ok(result.occurrences[point]! > 0, point);
      const crashes = result.runs.filter((r) => r.run.kind === 'crash');
      assert.ok(crashes.length >= 12 && crashes.every((r) => r.crashed && r.restarts >= 1));
      assert.ok(result.runs.some((r) => r.run.kind === 'redelivery') && result.runs.some((r) => r.run.kind === 'reordered'));
    });
  },
);

test('given a command handler that is not idempotent, then the harness names the runs that crash after its dispatch', { timeout: 60_000 }, async () => {
  const careless = (store: EventStore) => ({
    ...shopCommands(store),
    // Without the workflow's command id: a command delivered again is handled again.
    ReserveStock: async (command: { type: string; orderId?: unknown }) => void (await handleCommand(store, `careless-${String(command.orderId)}`, { ...shopDecider, decide: (c) => [{ type: `${c.type}Done`, data: {} }] }, command)),
  });
  await assert.rejects(
    runWorkflowFaults({ store: () => openEventStore('memory:'), workflows: [orderFlow], commands: careless, scenario, points: ['afterDispatch'], sample: 3 }),
    (error: Error) => /crash at afterDispatch #1: .*events outside the instances/.test(error.message),
  );
});
