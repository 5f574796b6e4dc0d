// The workflow fault harness: a scenario runs once as it should (the reference), then
// once per fault point with a crash there (the runtime stopped at that point, and a
// fresh one started on the same store, as a restarted process would), once with every
// input delivered again, and once with independent instances' inputs in swapped order.
// Each run must end as the reference did: every instance's status and state, the
// commands sent, and the events their handlers wrote, by id.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NewEvent, RecordedEvent } from '../core/events.js';
import { derivedId } from '../core/uuid.js';
import type { EventStore } from '../store/event-store.js';
import type { Clock } from '../workflows/clock.js';
import { workflowControls, type WorkflowControls } from '../workflows/controls.js';
import type { Workflow } from '../workflows/definition.js';
import { WORKFLOW_STREAM_PREFIX, WorkflowEventTypes as T, type CommandSentData } from '../workflows/events.js';
import { startWorkflows, type CommandHandler, type Workflows, type WorkflowsOptions } from '../workflows/runtime.js';
import type { WorkflowFaults } from '../workflows/step.js';
import { CHECKPOINTS, checkpoints, ensureTables, tablesOf, timers } from '../workflows/tables.js';

/** The points the workflow runtime exposes (see WorkflowFaults). */
export type RuntimePoint = keyof WorkflowFaults & string;
export const RUNTIME_POINTS: readonly RuntimePoint[] = ['beforeCheckpoint', 'afterAppend', 'afterDispatch'];

/**
 * Another part that runs beside the workflows and has fault points of its own (the
 * outbox relay's `afterPublish`, say). The harness starts it with each runtime, counts
 * its points in the reference run, crashes at each of them in turn, and compares its
 * outcome with the reference's.
 */
export interface FaultParticipant {
  name: string;
  points: readonly string[];
  /** Starts the part on the run's store. It calls `hit(point)` at each of its points; `hit` throws to crash it there. */
  start(store: EventStore, hit: (point: string) => Promise<void>): { stop(): Promise<void>; idle?(): Promise<void> };
  /** Sets it back to the start of the log, for the redelivery run, while it is stopped. */
  rewind?(store: EventStore): Promise<void>;
  /** What it did that a crash must not change (messages a broker got, by id); compared with the reference. */
  outcome?(store: EventStore): Promise<unknown>;
}

export interface FaultScenarioContext {
  /** The run's store, for reads (append inputs through `append`). */
  store: EventStore;
  /** show, list, retry of the run's instances. */
  workflows: WorkflowControls;
  /** Appends inputs; events given no id get one derived from their order in the scenario, the same in every run. */
  append(streamId: string, events: readonly NewEvent[]): Promise<void>;
  /** Moves the fake clock on; due timers fire at the next `idle`. */
  advanceClock(ms: number): Promise<void>;
  now(): number;
  /** Waits until every input up to the head of the log is taken and no timer is due, restarting the runtime after a crash. */
  idle(): Promise<void>;
}

export interface WorkflowFaultsOptions {
  /** A fresh, empty store for each run; the harness closes it after the run. */
  store: () => Promise<EventStore>;
  workflows: readonly Workflow[];
  /** The command handlers, made for the run's store (again at each restart). */
  commands: (store: EventStore) => Record<string, CommandHandler>;
  scenario: (context: FaultScenarioContext) => Promise<void>;
  /** Where the fake clock starts in every run. Default 2026-01-01T00:00:00Z. */
  clock?: Date | string | number;
  /** At most this many crashes per point, spread over its occurrences. Default: at every occurrence. */
  sample?: number;
  /** The runtime's points to crash at. Default: all of RUNTIME_POINTS. */
  points?: readonly RuntimePoint[];
  /** Parts with fault points of their own, run beside the workflows. */
  participants?: readonly FaultParticipant[];
  /** Runtime options for every run (retry delays, claims, polling); the harness sets clock, commands, faults, timers. */
  runtime?: Omit<WorkflowsOptions, 'clock' | 'commands' | 'faults' | 'timers'>;
  /** Each `idle` fails after this long. Default 15 s. */
  idleTimeoutMs?: number;
}

export type FaultRunKind = { kind: 'reference' } | { kind: 'crash'; point: string; occurrence: number } | { kind: 'redelivery' } | { kind: 'reordered' };

export interface FaultOutcome {
  instances: { streamId: string; status: string; state: unknown; error: string | null; eventIds: string[] }[];
  /** Every WorkflowCommandSent's command id, sorted. */
  commandIds: string[];
  /** Ids of every event outside the instance streams (the scenario's inputs and what handlers wrote), sorted. */
  eventIds: string[];
  participants: Record<string, unknown>;
}

export interface FaultRun {
  name: string;
  run: FaultRunKind;
  /** False when the run ended before the chosen occurrence came. */
  crashed: boolean;
  restarts: number;
  outcome: FaultOutcome;
  /** What differs from the reference; empty when the run passed. */
  differences: string[];
  warnings: string[];
  durationMs: number;
}

export interface WorkflowFaultsResult {
  reference: FaultRun;
  runs: FaultRun[];
  /** How often each point was reached in the reference run. */
  occurrences: Record<string, number>;
  failed: FaultRun[];
}

const DEFAULT_START = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * Runs the scenario under every fault, and throws an AssertionError naming each run
 * whose outcome differs from the reference; resolves to every run's description.
 *
 * @example
 * await runWorkflowFaults({
 *   store: () => openEventStore('memory:'), workflows: [orderFlow], commands: (store) => shopCommands(store),
 *   scenario: async (ctx) => { await ctx.append('order-o1', [placed('o1')]); await ctx.idle(); await ctx.advanceClock(HOUR); await ctx.idle(); },
 *   sample: 3,
 * });
 */
export async function runWorkflowFaults(options: WorkflowFaultsOptions): Promise<WorkflowFaultsResult> {
  const counts: Record<string, number> = {};
  const reference = await runOnce(options, { kind: 'reference' }, counts);
  const runs: FaultRun[] = [];
  const points = [...(options.points ?? RUNTIME_POINTS), ...(options.participants ?? []).flatMap((p) => p.points)];
  for (const point of points) {
    for (const occurrence of pick(counts[point] ?? 0, options.sample)) runs.push(await runOnce(options, { kind: 'crash', point, occurrence }));
  }
  runs.push(await runOnce(options, { kind: 'redelivery' }));
  runs.push(await runOnce(options, { kind: 'reordered' }));
  for (const run of runs) run.differences = differences(reference.outcome, run.outcome);
  const failed = runs.filter((run) => run.differences.length > 0);
  const result = { reference, runs, occurrences: counts, failed };
  if (failed.length > 0) {
    assert.fail(`${failed.length} of ${runs.length} fault runs ended otherwise than the reference:\n${failed.map((r) => `${r.name}: ${r.differences.join('; ')}`).join('\n')}`);
  }
  return result;
}

/** Up to `sample` occurrences out of 1..count, spread evenly, the first and last among them. */
function pick(count: number, sample: number | undefined): number[] {
  const all = Array.from({ length: count }, (_, i) => i + 1);
  if (sample === undefined || sample >= count) return all;
  if (sample <= 1) return all.slice(0, Math.max(0, sample));
  return [...new Set(Array.from({ length: sample }, (_, i) => all[Math.round((i * (count - 1)) / (sample - 1))]!))];
}

class Crash extends Error {}

async function runOnce(options: WorkflowFaultsOptions, run: FaultRunKind, counts: Record<string, number> = {}): Promise<FaultRun> {
  const started = Date.now();
  const name = run.kind === 'crash' ? `crash at ${run.point} #${run.occurrence}` : run.kind;
  const store = await options.store();
  const warnings: string[] = [];
  let now = options.clock === undefined ? DEFAULT_START : new Date(options.clock).getTime();
  const clock: Clock = { now: () => now };
  // Once crashed, the old runtime is down: every point it reaches throws until it is stopped.
  let down = false;
  let crashed = false;
  let restarts = 0;
  const hit = async (point: string) => {
    counts[point] = (counts[point] ?? 0) + 1;
    if (down) throw new Crash(`the process crashed at ${name}`);
    if (run.kind === 'crash' && run.point === point && counts[point] === run.occurrence) {
      down = crashed = true;
      throw new Crash(`crash injected at ${point} #${run.occurrence}`);
    }
  };
  const faults: WorkflowFaults = Object.fromEntries((options.points ?? RUNTIME_POINTS).map((point) => [point, () => hit(point)]));
  const start = () => ({
    workflows: startWorkflows(store, options.workflows, {
      retryDelaysMs: [5, 10],
      pollIntervalMs: 20,
      leaseRetryMs: 20,
      timerClaimMs: 100,
      logger: { warn: (message) => void warnings.push(message) },
      ...options.runtime,
      clock,
      commands: options.commands(store),
      faults,
      timers: false,
    }),
    participants: (options.participants ?? []).map((p) => p.start(store, hit)),
  });
  let process = start();
  const restart = async () => {
    await process.workflows.stop();
    await Promise.all(process.participants.map((p) => p.stop()));
    down = false;
    restarts++;
    process = start();
  };

  const controls = workflowControls(store, options.workflows);
  const idle = () => waitIdle(store, options, clock, () => process, () => down, restart);
  // The reordered run holds appends back until the scenario waits, and then appends independent instances' inputs last first.
  let held: { streamId: string; events: NewEvent[] }[] = [];
  const flush = async () => {
    const appends = run.kind === 'reordered' ? swapIndependent(held, options.workflows) : held;
    held = [];
    for (const { streamId, events } of appends) await store.appendToStream(streamId, events);
  };
  let inputs = 0;
  const context: FaultScenarioContext = {
    store,
    workflows: controls,
    async append(streamId, events) {
      held.push({ streamId, events: events.map((e) => ({ ...e, eventId: e.eventId ?? derivedId('workflow-fault-scenario', String(++inputs)) })) });
      if (run.kind !== 'reordered') await flush();
    },
    async advanceClock(ms) {
      await flush();
      now += ms;
    },
    now: () => now,
    async idle() {
      await flush();
      await idle();
      if (run.kind !== 'redelivery') return;
      // Every input and command read again from the start of the log: each must change nothing.
      await process.workflows.stop();
      await Promise.all(process.participants.map((p) => p.stop()));
      await store.readModels.transaction(tablesOf(store.readModels), async (db) => {
        await db.run(`UPDATE {${CHECKPOINTS}} SET position = 0`);
      });
      for (const participant of options.participants ?? []) await participant.rewind?.(store);
      restarts++;
      process = start();
      await idle();
    },
  };
  try {
    await options.scenario(context);
    await context.idle();
    const outcome = await outcomeOf(store, controls, options.participants ?? []);
    return { name, run, crashed, restarts, outcome, differences: [], warnings, durationMs: Date.now() - started };
  } finally {
    await process.workflows.stop();
    await Promise.all(process.participants.map((p) => p.stop()));
    await store.close();
  }
}

type Running = { workflows: Workflows; participants: { idle?(): Promise<void> }[] };

/** The runtime's idle, made to notice a crash: then the runtime is restarted and the wait goes on. */
async function waitIdle(store: EventStore, options: WorkflowFaultsOptions, clock: Clock, current: () => Running, isDown: () => boolean, restart: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + (options.idleTimeoutMs ?? 15_000);
  const names = [...new Set(options.workflows.map((w) => w.name))];
  const tables = tablesOf(store.readModels);
  await ensureTables(store.readModels);
  for (let calm = 0; calm < 2; ) {
    if (Date.now() > deadline) throw new Error(`the workflows did not become idle within ${options.idleTimeoutMs ?? 15_000} ms`);
    if (isDown()) {
      await restart();
      calm = 0;
      continue;
    }
    const head = await store.headPosition();
    const { positions, nextDue } = await store.readModels.transaction(tables, async (db) => ({
      positions: await Promise.all(names.map((name) => checkpoints.get(db, name))),
      nextDue: await timers.earliestDue(db, names),
    }));
    const running = current();
    try {
      if (nextDue <= clock.now()) await running.workflows.runDueTimers();
      for (const participant of running.participants) await participant.idle?.();
    } catch (error) {
      if (!(error instanceof Crash) && !isDown()) throw error;
      continue;
    }
    const quiet = positions.every((p) => p >= head) && nextDue > clock.now() && !isDown();
    calm = quiet ? calm + 1 : 0;
    await sleep(quiet ? 20 : 10);
  }
}

/** Groups held appends by the instance their first input correlates to, and appends the groups last first, each in its own order. */
function swapIndependent(appends: { streamId: string; events: NewEvent[] }[], workflows: readonly Workflow[]): { streamId: string; events: NewEvent[] }[] {
  const groups = new Map<string, { streamId: string; events: NewEvent[] }[]>();
  appends.forEach((append, i) => {
    const key = instanceOf(append, workflows) ?? `uncorrelated-${i}`;
    groups.set(key, [...(groups.get(key) ?? []), append]);
  });
  return [...groups.values()].reverse().flat();
}

function instanceOf(append: { streamId: string; events: NewEvent[] }, workflows: readonly Workflow[]): string | undefined {
  for (const [i, event] of append.events.entries()) {
    const recorded: RecordedEvent = { ...event, eventId: event.eventId!, streamId: append.streamId, version: i + 1, position: 0, metadata: event.metadata, recordedAt: new Date() };
    for (const workflow of workflows) {
      if (!workflow.inputs.includes(event.type)) continue;
      const id = workflow.correlate(recorded);
      if (id !== null && id !== undefined) return `${workflow.name}:${String(id)}`;
    }
  }
  return undefined;
}

async function outcomeOf(store: EventStore, controls: WorkflowControls, participants: readonly FaultParticipant[]): Promise<FaultOutcome> {
  const streams = new Map<string, string[]>();
  const commandIds: string[] = [];
  const eventIds: string[] = [];
  for (let after = 0; ; ) {
    const page = await store.readAllPage({ after, batchSize: 500 });
    for (const event of page) {
      if (!event.streamId.startsWith(WORKFLOW_STREAM_PREFIX)) eventIds.push(event.eventId);
      // A retry's id is new each time; every other event of an instance has an id its step derives.
      else if (event.type !== T.retried) streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event.eventId]);
      if (event.type === T.commandSent) commandIds.push((event.data as CommandSentData).commandId);
    }
    if (page.length < 500) break;
    after = page.at(-1)!.position;
  }
  const instances: FaultOutcome['instances'] = [];
  for (const [streamId, ids] of [...streams].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const detail = await controls.show(streamId);
    instances.push({ streamId, status: detail.status, state: detail.state, error: detail.error, eventIds: [...ids].sort() });
  }
  const outcomes: Record<string, unknown> = {};
  for (const participant of participants) if (participant.outcome) outcomes[participant.name] = await participant.outcome(store);
  return { instances, commandIds: commandIds.sort(), eventIds: eventIds.sort(), participants: outcomes };
}

function differences(reference: FaultOutcome, outcome: FaultOutcome): string[] {
  const found: string[] = [];
  const same = (a: unknown, b: unknown) => {
    try {
      assert.deepEqual(a, b);
      return true;
    } catch {
      return false;
    }
  };
  const byStream = new Map(outcome.instances.map((i) => [i.streamId, i]));
  for (const expected of reference.instances) {
    const actual = byStream.get(expected.streamId);
    if (!actual) found.push(`${expected.streamId} is missing`);
    else {
      if (actual.status !== expected.status) found.push(`${expected.streamId} is ${actual.status}, not ${expected.status}`);
      if (!same(actual.state, expected.state)) found.push(`${expected.streamId} has state ${JSON.stringify(actual.state)}, not ${JSON.stringify(expected.state)}`);
      if (actual.error !== expected.error) found.push(`${expected.streamId} has error ${String(actual.error)}, not ${String(expected.error)}`);
      if (!same(actual.eventIds, expected.eventIds)) found.push(`${expected.streamId} holds ${actual.eventIds.length} events, other than the reference's ${expected.eventIds.length}`);
    }
    byStream.delete(expected.streamId);
  }
  for (const extra of byStream.keys()) found.push(`${extra} exists only in this run`);
  if (!same(outcome.commandIds, reference.commandIds)) found.push(`sent ${outcome.commandIds.length} commands, other than the reference's ${reference.commandIds.length}`);
  if (!same(outcome.eventIds, reference.eventIds)) found.push(`holds ${outcome.eventIds.length} events outside the instances, other than the reference's ${reference.eventIds.length}`);
  for (const [name, expected] of Object.entries(reference.participants)) {
    const actual = outcome.participants[name];
    if (!same(actual, expected)) found.push(`${name} ended with ${brief(actual)}, not ${brief(expected)}`);
  }
  return found;
}

/** A value as JSON, cut short: enough to see what differs in a failure message. */
function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
