// Takes one step on the store: load the instance, plan, append the plan in one
// transaction together with the index tables and, when the step came from the log,
// the workflow's checkpoint. Another writer in between (a timer, a command's outcome)
// makes the append conflict; the step is then planned again on the fresh stream.

import { ConcurrencyError, DuplicateEventError } from '../core/errors.js';
import type { NewEvent } from '../core/events.js';
import type { EventStore } from '../store/event-store.js';
import type { ReadModelDb } from '../store/read-models.js';
import type { Clock } from './clock.js';
import type { WorkflowRegistry } from './definition.js';
import { foldInstance, type Instance, type StepInputEvent } from './instance.js';
import { DecideError, planCommandPark, planPark, planStep, type StepInput, type StepPlan } from './plan.js';
import { checkpoints, instances, tablesOf, timers } from './tables.js';

/** Where fault-injection tests stop a runtime; see the workflow fault harness in eventline/testing. */
export interface WorkflowFaults {
  /** Inside a step's transaction, after its events, before the checkpoint moves: a throw rolls the step back. */
  beforeCheckpoint?(point: FaultPoint): void | Promise<void>;
  /** After a step committed, before the runtime goes on. */
  afterAppend?(point: FaultPoint): void | Promise<void>;
  /** After a command's handler ran, before its outcome is recorded. */
  afterDispatch?(point: FaultPoint): void | Promise<void>;
}

export interface FaultPoint {
  streamId: string;
  /** The kind of step, or `command` for a handler. */
  kind: StepInput['kind'] | 'command';
}

export interface StepRuntime {
  store: EventStore;
  registry: WorkflowRegistry;
  clock: Clock;
  faults: WorkflowFaults;
}

/** What else the step's transaction does: move a workflow's checkpoint, drop a timer's index row. */
export interface StepExtras {
  /**
   * The log event the step takes. The checkpoint moves to `reached(position)`: the
   * furthest position up to which every event is taken once this one is, which steps
   * taken side by side keep below any event still under way.
   */
  checkpoint?: { name: string; position: number; reached?: (position: number) => number };
  timerId?: string;
}

const MAX_CONFLICTS = 100;

export async function loadInstance(runtime: StepRuntime, workflow: string, streamId: string): Promise<Instance> {
  const events = await runtime.store.readStream(streamId);
  const { registry } = runtime;
  try {
    return foldInstance(streamId, workflow, events, (v) => registry.version(workflow, v), registry.latest(workflow));
  } catch (error) {
    throw new DecideError(error);
  }
}

/** Takes the step; resolves to its plan, or undefined when the input needed no append. Throws DecideError from the definition's code. */
export async function takeStep(runtime: StepRuntime, workflow: string, streamId: string, input: StepInput, extras: StepExtras = {}): Promise<StepPlan | undefined> {
  const { registry, clock } = runtime;
  for (let conflicts = 0; ; conflicts++) {
    const instance = await loadInstance(runtime, workflow, streamId);
    const version = instance.streamVersion;
    const scheduled = scheduledTimers(instance);
    const now = clock.now();
    const plan = planStep(instance, input, now, () => registry.latest(workflow), (v) => registry.version(workflow, v));
    if (!plan) {
      await finishWithout(runtime, extras);
      return undefined;
    }
    if (await appendStep(runtime, instance, version, scheduled, plan.events, extras, input.kind, now)) {
      await runtime.faults.afterAppend?.({ streamId, kind: input.kind });
      if (plan.late) notifyLate(instance, plan.late);
      return plan;
    }
    if (conflicts >= MAX_CONFLICTS) throw new ConcurrencyError(streamId, version, -1);
  }
}

/** Records the input with the error and parks the instance until `retry`. */
export function parkStep(runtime: StepRuntime, workflow: string, streamId: string, input: StepInput, error: string, extras: StepExtras = {}): Promise<void> {
  const { registry } = runtime;
  return park(runtime, workflow, streamId, input.kind, extras, (instance, now) =>
    planPark(instance, input, error, now, () => registry.latest(workflow), (v) => registry.version(workflow, v)),
  );
}

/** Parks the instance whose command could not be delivered; the command stays pending until `retry`. */
export function parkCommand(runtime: StepRuntime, workflow: string, streamId: string, commandId: string, error: string, extras: StepExtras = {}): Promise<void> {
  return park(runtime, workflow, streamId, 'command', extras, (instance, now) =>
    planCommandPark(instance, commandId, error, now, (v) => runtime.registry.version(workflow, v)),
  );
}

async function park(
  runtime: StepRuntime,
  workflow: string,
  streamId: string,
  kind: FaultPoint['kind'],
  extras: StepExtras,
  plan: (instance: Instance, now: number) => NewEvent[] | undefined,
): Promise<void> {
  for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
    let instance: Instance;
    try {
      instance = await loadInstance(runtime, workflow, streamId);
    } catch {
      // Even its evolve throws: the instance is parked without a state.
      instance = foldInstance(streamId, workflow, await runtime.store.readStream(streamId), () => undefined, undefined);
    }
    const version = instance.streamVersion;
    const scheduled = scheduledTimers(instance);
    const now = runtime.clock.now();
    const events = plan(instance, now);
    if (!events) return finishWithout(runtime, extras);
    if (await appendStep(runtime, instance, version, scheduled, events, extras, kind, now)) return;
  }
}

/** Appends a step's events; false when another writer got there first. */
async function appendStep(
  runtime: StepRuntime,
  instance: Instance,
  version: number,
  scheduled: ReadonlySet<string>,
  events: NewEvent[],
  extras: StepExtras,
  kind: FaultPoint['kind'],
  now: number,
): Promise<boolean> {
  const { store, faults } = runtime;
  const tables = tablesOf(store.readModels);
  try {
    await store.appendToStream(instance.streamId, events, {
      expectedVersion: version,
      inTransaction: async (appended, dbFor) => {
        const db = dbFor(tables);
        // A retry of a step that committed already: its index rows are written.
        if (appended.length > 0) {
          timers.sync(db, instance, scheduled);
          instances.save(db, instance, now);
        }
        await faults.beforeCheckpoint?.({ streamId: instance.streamId, kind });
        moveOn(db, extras);
        await db.flush();
      },
    });
    return true;
  } catch (error) {
    if (error instanceof ConcurrencyError || error instanceof DuplicateEventError) return false;
    throw error;
  }
}

/** The checkpoint and timer rows of a step that appended nothing. */
export async function finishWithout(runtime: StepRuntime, extras: StepExtras): Promise<void> {
  if (extras.checkpoint === undefined && extras.timerId === undefined) return;
  const readModels = runtime.store.readModels;
  await readModels.transaction(tablesOf(readModels), async (db) => {
    moveOn(db, extras);
    await db.flush();
  });
}

function moveOn(db: ReadModelDb, extras: StepExtras): void {
  if (extras.checkpoint) {
    const { name, position, reached } = extras.checkpoint;
    checkpoints.advance(db, name, reached ? reached(position) : position);
  }
  if (extras.timerId) timers.remove(db, extras.timerId);
}

function scheduledTimers(instance: Instance): Set<string> {
  return new Set([...instance.timers.values()].filter((t) => t.state === 'scheduled').map((t) => t.timerId));
}

function notifyLate(instance: Instance, input: StepInputEvent): void {
  try {
    instance.definition?.onLate?.(input, instance.state);
  } catch {
    // onLate only observes; what it throws changes nothing that was recorded.
  }
}
