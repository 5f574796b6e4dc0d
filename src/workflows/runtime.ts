// startWorkflows: runs workflows for one store in this process. For each workflow a
// follower (one process at a time, by lease) reads the log from its checkpoint and
// takes a step per input, delivers the commands instances send, and resumes parked
// instances on retry. A timer service in every process fires due timers, sharing
// them with the other processes by claims.

import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, ProjectionTimeoutError, ValidationError, isEventlineError, type CheckpointMismatchError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { assertCount } from '../core/validation.js';
import type { EventStore } from '../store/event-store.js';
import { assertCheckpointBelongs } from '../store/checkpoint-epoch.js';
import { createPauses, runWhileLeased, takeLease } from '../store/leased-loop.js';
import type { Lease } from '../store/read-models.js';
import { createWakeup } from '../store/wakeup.js';
import { inEventTrace, observeStep, observeTimer, recordConsumerLag, recordOverdueTimers, recordParked } from '../telemetry/index.js';
import { systemClock, type Clock } from './clock.js';
import { workflowControls, type WorkflowControls } from './controls.js';
import { WorkflowRegistry, type Workflow } from './definition.js';
import { instancePrefix, workflowStreamId, WorkflowEventTypes as T, type CommandSentData, type WorkflowCommand } from './events.js';
import { DecideError, type StepInput } from './plan.js';
import { finishWithout, loadInstance, parkCommand, parkStep, takeStep, type StepExtras, type StepRuntime, type WorkflowFaults } from './step.js';
import { CHECKPOINTS, checkpoints, ensureTables, tablesOf, timers } from './tables.js';

/** Carries out a command an instance sent. Throw a DomainError to refuse it (the instance hears `rejected`); any other error is retried. */
export type CommandHandler = (command: WorkflowCommand, context: { commandId: string; streamId: string; workflow: string }) => Promise<unknown>;

export interface WorkflowsOptions {
  /** A handler per command type the workflows send. */
  commands?: Record<string, CommandHandler>;
  /** Default: the system clock. */
  clock?: Clock;
  /** Back-off before each retry of a step whose code throws; then the instance is parked. Default [100, 500, 2000]. */
  retryDelaysMs?: readonly number[];
  /** Fallback polling of the log when no change notice arrives. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How often the timer service looks for due timers, at most. Default 1000 ms. */
  timerPollMs?: number;
  /** How long a process keeps the due timers it claimed before others may take them. Default 30 s. */
  timerClaimMs?: number;
  /** Run the timer service in this process. Default true. */
  timers?: boolean;
  /** How often a process without a workflow's lease tries to take it over. Default 2000 ms. */
  leaseRetryMs?: number;
  /** Log events read per page. Default 200. */
  batchSize?: number;
  /** Instances a workflow takes steps for side by side, each instance's inputs in order. Default 8. */
  concurrency?: number;
  logger?: { warn(message: string): void };
  /** Stops at chosen points, for fault-injection tests. */
  faults?: WorkflowFaults;
}

export interface Workflows extends WorkflowControls {
  /** Fires every timer due by the clock now; resolves to how many fired. The timer service calls it on its own. */
  runDueTimers(): Promise<number>;
  /**
   * Resolves once every workflow has taken every input up to the head of the log and no
   * timer is due; rejects with CheckpointMismatchError when a workflow's follower here
   * stopped on a checkpoint that does not belong to the store.
   */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startWorkflows(store: EventStore, workflows: readonly Workflow[], options: WorkflowsOptions = {}): Workflows {
  const registry = new WorkflowRegistry(workflows);
  const batchSize = options.batchSize ?? 200;
  assertCount(batchSize, 'batchSize', 1, 10_000);
  const concurrency = options.concurrency ?? 8;
  assertCount(concurrency, 'concurrency', 1, 1000);
  const commands = options.commands ?? {};
  for (const [type, handler] of Object.entries(commands)) {
    if (typeof handler !== 'function') throw new ValidationError(`commands.${type}`, 'must be a function');
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function') throw new ValidationError('clock', 'must have a now() function');
  const retryDelaysMs = options.retryDelaysMs ?? [100, 500, 2000];
  if (!Array.isArray(retryDelaysMs)) throw new ValidationError('retryDelaysMs', 'must be an array of milliseconds');
  retryDelaysMs.forEach((ms, i) => assertCount(ms, `retryDelaysMs[${i}]`, 0));
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const timerPollMs = options.timerPollMs ?? 1000;
  const timerClaimMs = options.timerClaimMs ?? 30_000;
  const leaseRetryMs = options.leaseRetryMs ?? 2000;
  for (const [field, ms] of Object.entries({ pollIntervalMs, timerPollMs, timerClaimMs, leaseRetryMs })) assertCount(ms, field, 1);
  const logger = options.logger ?? console;
  const runtime: StepRuntime = { store, registry, clock, faults: options.faults ?? {} };
  const readModels = store.readModels;
  const tables = tablesOf(readModels);

  let stopped = false;
  const { pause, cutAll } = createPauses();

  /**
   * Works through the items lane by lane (an instance's stream id), each lane's in the
   * order given, up to `concurrency` lanes side by side; a lane stops when `work` says
   * false. Waits for every lane, then throws the first error.
   */
  async function inLanes<T>(items: Iterable<readonly [lane: string, item: T]>, work: (lane: string, item: T) => Promise<boolean>): Promise<void> {
    const lanes = new Map<string, T[]>();
    for (const [lane, item] of items) {
      const queued = lanes.get(lane);
      if (queued) queued.push(item);
      else lanes.set(lane, [item]);
    }
    const queue = [...lanes.entries()];
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const [lane, items] = next;
        for (const item of items) if (!(await work(lane, item))) return;
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, lanes.size) }, worker));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Takes a step, retrying the definition's failures with back-off, then parks the instance. */
  function step(workflow: string, streamId: string, input: StepInput, extras: StepExtras): Promise<void> {
    return observeStep(workflow, input.kind, input.kind === 'event' ? input.event : undefined, () => stepOnce(workflow, streamId, input, extras));
  }

  async function stepOnce(workflow: string, streamId: string, input: StepInput, extras: StepExtras): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await takeStep(runtime, workflow, streamId, input, extras);
        return;
      } catch (error) {
        if (!(error instanceof DecideError)) throw error;
        const backoff = retryDelaysMs[attempt];
        if (backoff !== undefined && !stopped) {
          await pause(backoff);
          continue;
        }
        await parkStep(runtime, workflow, streamId, input, error.message, extras);
        recordParked(workflow);
        // The stream id only: the error may quote the input, and stays in the stream.
        logger.warn(`workflow instance ${streamId} is parked until retried`);
        return;
      }
    }
  }

  /** Runs a sent command's handler and records its outcome as the instance's next input. */
  async function dispatch(workflow: string, streamId: string, sent: CommandSentData, extras: StepExtras): Promise<void> {
    const instance = await loadInstance(runtime, workflow, streamId).catch(() => undefined);
    const known = instance?.commands.get(sent.commandId);
    if (known && known.outcome !== 'pending') return finishWithout(runtime, extras);
    const handler = commands[sent.command.type];
    let outcome: { outcome: 'succeeded' | 'rejected'; reason: string | null } | undefined;
    let failure = handler ? '' : `no handler for command ${sent.command.type} is registered in this process`;
    for (let attempt = 0; handler && !outcome; attempt++) {
      try {
        await handler(sent.command, { commandId: sent.commandId, streamId, workflow });
        outcome = { outcome: 'succeeded', reason: null };
      } catch (error) {
        if (error instanceof DomainError || (isEventlineError(error) && (error.code === 'DOMAIN_RULE_VIOLATED' || error.code === 'NOT_FOUND'))) {
          outcome = { outcome: 'rejected', reason: (error as Error).message };
          break;
        }
        const backoff = retryDelaysMs[attempt];
        if (backoff === undefined || stopped) {
          failure = `command ${sent.command.type} failed: ${error instanceof Error ? error.message : String(error)}`;
          break;
        }
        await pause(backoff);
      }
    }
    if (!outcome) {
      await parkCommand(runtime, workflow, streamId, sent.commandId, failure, extras);
      recordParked(workflow);
      logger.warn(`workflow instance ${streamId} is parked until retried`);
      return;
    }
    await runtime.faults.afterDispatch?.({ streamId, kind: 'command' });
    await step(workflow, streamId, { kind: 'commandDone', commandId: sent.commandId, ...outcome }, extras);
  }

  /** After a retry: delivers the commands still pending, then decides the inputs that waited, oldest first. */
  async function resume(workflow: string, streamId: string, extras: StepExtras): Promise<void> {
    const instance = await loadInstance(runtime, workflow, streamId);
    if (instance.status !== 'parked') {
      for (const command of instance.commands.values()) {
        if (command.outcome === 'pending') await dispatch(workflow, streamId, command, {});
      }
      for (let left = instance.pending.length; left > 0; left--) {
        const current = await loadInstance(runtime, workflow, streamId);
        if (current.pending.length === 0 || current.status === 'parked') break;
        await step(workflow, streamId, { kind: 'resume' }, {});
      }
    }
    await finishWithout(runtime, extras);
  }

  function startFollower(workflow: string): { stop(): Promise<void>; nudge(): void; halted(): CheckpointMismatchError | undefined } {
    let halted: CheckpointMismatchError | undefined;
    const wakeup = createWakeup();
    const unwatch = store.watch(wakeup.nudge);
    const prefix = instancePrefix(workflow);
    const definitionInputs = new Set(registry.inputsOf(workflow));
    const types = [...definitionInputs, T.commandSent, T.retried];

    /** The instance stream an event is for, or undefined when this workflow passes it by. */
    async function instanceOf(event: RecordedEvent): Promise<string | undefined> {
      const own = event.streamId.startsWith(prefix);
      if (own) return event.type === T.commandSent || event.type === T.retried ? event.streamId : undefined;
      if (!definitionInputs.has(event.type)) return undefined;
      const definition = registry.latest(workflow);
      let instanceId: string | null | undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          instanceId = definition.correlate(event);
          break;
        } catch {
          const backoff = retryDelaysMs[attempt];
          if (backoff === undefined || stopped) {
            logger.warn(`workflow ${workflow} could not correlate the event at position ${event.position} and passed it by`);
            return;
          }
          await pause(backoff);
        }
      }
      if (instanceId === null || instanceId === undefined) return undefined;
      return workflowStreamId(workflow, String(instanceId));
    }

    /** Takes the event in the trace of the append that wrote it: the steps and commands it leads to continue that trace. */
    function handle(event: RecordedEvent, streamId: string, extras: StepExtras): Promise<void> {
      return inEventTrace(event, () => handleEvent(event, streamId, extras));
    }

    async function handleEvent(event: RecordedEvent, streamId: string, extras: StepExtras): Promise<void> {
      if (event.type === T.commandSent && streamId === event.streamId) return dispatch(workflow, streamId, event.data as CommandSentData, extras);
      if (event.type === T.retried && streamId === event.streamId) return resume(workflow, streamId, extras);
      await step(workflow, streamId, { kind: 'event', event }, extras);
    }

    /**
     * Takes a page of the log: each instance's events in order, up to `concurrency`
     * instances side by side. The checkpoint each step writes never passes an event
     * still under way, so a crash leaves nothing behind it untaken.
     */
    async function takePage(events: readonly RecordedEvent[], from: number, lease: Lease): Promise<void> {
      const routed: [string, RecordedEvent][] = [];
      const taken = new Set<number>();
      for (const event of events) {
        const streamId = await instanceOf(event);
        if (streamId === undefined) taken.add(event.position);
        else routed.push([streamId, event]);
      }
      const reached = (position: number) => {
        let upTo = from;
        for (const event of events) {
          if (event.position !== position && !taken.has(event.position)) break;
          upTo = event.position;
        }
        return upTo;
      };
      await inLanes(routed, async (streamId, event) => {
        if (stopped || !lease.held) return false;
        await handle(event, streamId, { checkpoint: { name: workflow, position: event.position, reached } });
        taken.add(event.position);
        return true;
      });
    }

    async function follow(lease: Lease): Promise<void> {
      // The row appears as the follower starts: a step's transaction only ever moves it.
      await readModels.transaction(tables, (db) => checkpoints.ensure(db, workflow));
      await assertCheckpointBelongs(store, { kind: 'workflow', name: workflow, table: CHECKPOINTS });
      while (!stopped && lease.held) {
        await wakeup.wait(pollIntervalMs);
        if (stopped || !lease.held) return;
        const from = await readModels.transaction(tables, (db) => checkpoints.get(db, workflow));
        const head = await store.headPosition();
        const events = await store.readAllPage({ after: from, types, batchSize });
        await takePage(events, from, lease);
        if (stopped || !lease.held) return;
        const caughtUp = events.length < batchSize;
        const to = caughtUp ? Math.max(head, events.at(-1)?.position ?? 0) : events.at(-1)!.position;
        recordConsumerLag('workflow', workflow, head - Math.max(to, from));
        if (to > from) {
          await readModels.transaction(tables, async (db) => {
            checkpoints.advance(db, workflow, to);
            await db.flush();
          });
        }
        if (!caughtUp) wakeup.nudge();
      }
    }

    const running = runWhileLeased({
      tryLease: () => takeLease(readModels, `workflow:${workflow}`),
      isStopped: () => stopped,
      pause,
      leaseRetryMs,
      onError: (error) => logger.warn(`workflow ${workflow} stopped by an error and will resume from its checkpoint: ${error.message}`),
      onHalt: (error) => logger.warn((halted = error).message),
      work: follow,
    }).finally(unwatch);

    return {
      nudge: wakeup.nudge,
      halted: () => halted,
      async stop() {
        wakeup.nudge();
        await running;
      },
    };
  }

  async function runDueTimers(): Promise<number> {
    let fired = 0;
    for (const workflow of registry.names()) {
      let overdue = 0;
      for (;;) {
        const due = await readModels.transaction(tables, (db) => timers.claimDue(db, workflow, clock.now(), timerClaimMs, 100));
        overdue += due.length;
        const byInstance = due.map((timer) => [timer.streamId, timer.timerId] as const);
        await inLanes(byInstance, async (streamId, timerId) => {
          if (stopped) return false;
          await observeTimer(workflow, () => step(workflow, streamId, { kind: 'timer', timerId }, { timerId }));
          fired++;
          return true;
        });
        if (stopped || due.length < 100) break;
      }
      recordOverdueTimers(workflow, overdue);
    }
    return fired;
  }

  const ready = ensureTables(readModels);
  const followers = ready.then(() => registry.names().map(startFollower));
  const timerService = options.timers === false ? Promise.resolve() : ready.then(async () => {
    while (!stopped) {
      try {
        await runDueTimers();
        const next = await readModels.transaction(tables, (db) => timers.earliestDue(db, registry.names(), Date.now()));
        await pause(Math.max(10, Math.min(timerPollMs, next - clock.now())));
      } catch (error) {
        if (!stopped) {
          logger.warn(`the workflow timer service stopped by an error and will resume: ${(error as Error).message}`);
          await pause(1000);
        }
      }
    }
  });
  // A failure to create the tables surfaces on the first call that needs them.
  ready.catch(() => {});

  const controls = workflowControls(store, workflows);
  return {
    ...controls,
    async retry(streamId: string) {
      await controls.retry(streamId);
      for (const follower of await followers) follower.nudge();
    },
    runDueTimers: () => ready.then(runDueTimers),
    async idle(timeoutMs = 10_000) {
      await ready;
      const deadline = Date.now() + timeoutMs;
      for (let calm = 0; calm < 2; ) {
        const halted = (await followers).map((f) => f.halted()).find((h) => h !== undefined);
        if (halted) throw halted;
        const head = await store.headPosition();
        const { positions, nextDue } = await readModels.transaction(tables, async (db) => ({
          positions: await Promise.all(registry.names().map((w) => checkpoints.get(db, w))),
          nextDue: await timers.earliestDue(db, registry.names()),
        }));
        if (nextDue <= clock.now()) await runDueTimers();
        const quiet = positions.every((p) => p >= head) && nextDue > clock.now();
        calm = quiet ? calm + 1 : 0;
        if (Date.now() > deadline) throw new ProjectionTimeoutError(`workflows did not reach position ${head} within ${timeoutMs} ms`);
        if (!quiet) for (const follower of await followers) follower.nudge();
        await sleep(quiet ? 20 : 10);
      }
    },
    async stop() {
      stopped = true;
      cutAll();
      await Promise.all((await followers.catch(() => [])).map((f) => f.stop()));
      await timerService;
    },
  };
}
