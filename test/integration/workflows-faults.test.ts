// The fault harness on every store: an order flow with a timer and a compensation,
// crashed at the runtime's fault points, read again, and with independent orders'
// inputs swapped, ends as it does without faults. And the harness catches a command
// handler that is not idempotent.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defineWorkflow, handleCommand, openEventStore, publish, type EventStore } from '../../src/index.js';
import { onEveryStore, outboxParticipant, postgresTestUrl, runWorkflowFaults, type FaultScenarioContext, type TestStore } from '../../src/testing/index.js';
import { HOUR, orderDefinition, orderFlow, paid, placed, shopCommands, shopDecider, START, type OrderState } from '../fixtures/workflows.js';

/** The order flow, telling other systems through the outbox of each input it decides. */
const publishingFlow = defineWorkflow<OrderState>({
  ...orderDefinition,
  decide(input, state, context) {
    const orderId = state.orderId ?? (input.data as { orderId: string }).orderId;
    return [...orderDefinition.decide(input, state, context), publish('shop.orders.steps', { orderId, input: input.type })];
  },
});

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

/** What every run of the scenario on a backend shares: its stores, the shop's handlers, the clock. */
const runsOn = (backend: TestStore) => ({ store: storesOf(backend), commands: (store: EventStore) => shopCommands(store), scenario, clock: START });

onEveryStore(
  (name) => `the workflow fault harness on ${name}`,
  (backend) => {
    test('given crashes at every fault point, redelivery and swapped inputs, then every run ends as the reference does', { timeout: 60_000 }, async () => {
      const result = await runWorkflowFaults({
        ...runsOn(backend),
        workflows: [orderFlow],
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

    test('given the outbox relay beside the runtime, crashed after the broker has a message and before its checkpoint moves, then every message arrives, whole and in order, as in the reference', { timeout: 60_000 }, async (t) => {
      const outbox = outboxParticipant({ batchSize: 4 });
      const started = Date.now();
      const result = await runWorkflowFaults({
        ...runsOn(backend),
        workflows: [publishingFlow],
        // The relay's point only: the runtime's are the test above's.
        points: [],
        participants: [outbox],
        sample: 3,
      });
      assert.deepEqual(result.failed, []);
      const reference = result.reference.outcome.participants['outbox outbox'] as { delivered: string[]; problems: string[] };
      assert.deepEqual(reference.problems, []);
      assert.equal(reference.delivered.length, 10, `${reference.delivered.length} messages`);
      const afterPublish = result.runs.filter((r) => r.run.kind === 'crash' && r.run.point === 'afterPublish');
      assert.equal(afterPublish.length, 3);
      assert.ok(afterPublish.every((r) => r.crashed && r.restarts >= 1));
      // The tallies follow the runs: the reference, then each run in result.runs.
      const tallies = outbox.tallies.slice(1);
      const published = afterPublish.map((r) => tallies[result.runs.indexOf(r)]!);
      assert.ok(published.some((tally) => tally.published > tally.distinct), 'a crash made the relay publish a message again');
      const redelivery = tallies[result.runs.findIndex((r) => r.run.kind === 'redelivery')]!;
      assert.ok(redelivery.published > redelivery.distinct, 'the redelivery run published every message again');
      t.diagnostic(
        `${reference.delivered.length} messages; ${result.occurrences.afterPublish} publishes in the reference; ` +
          `after a crash at afterPublish: ${published.map((p) => `${p.published} published / ${p.distinct} distinct`).join(', ')}; ${Date.now() - started} ms`,
      );
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
