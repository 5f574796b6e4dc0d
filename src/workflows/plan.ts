// One step of an instance, planned without I/O: from the instance and one input, the
// events to append in one go (the input first, then every output). Each event is
// applied to the instance as it is planned, so later outputs see earlier ones (a
// timer scheduled and cancelled in one step) and the caller gets the state after.

import { createHash } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '../core/events.js';
import type { Workflow, WorkflowContext } from './definition.js';
import {
  ids,
  instanceIdOf,
  OUTBOX_MESSAGE,
  WorkflowEventTypes as T,
  type CommandDoneData,
  type CommandSentData,
  type InputRef,
  type TimerFiredData,
  type TimerScheduledData,
} from './events.js';
import { activeTimer, applyEvent, ENDED, isCompensation, type Instance, type StepInputEvent, type TimerView } from './instance.js';
import { assertOutputs, type WorkflowOutput } from './outputs.js';

export type StepInput =
  | { kind: 'event'; event: RecordedEvent }
  | { kind: 'timer'; timerId: string }
  | { kind: 'commandDone'; commandId: string; outcome: 'succeeded' | 'rejected'; reason: string | null }
  | { kind: 'resume' };

export interface StepPlan {
  events: NewEvent[];
  /** The input that reached decide, if one did. */
  decided: StepInputEvent | null;
  /** An input that came after the instance ended: recorded, ignored, and told to onLate. */
  late: StepInputEvent | null;
}

/** Thrown by a definition's own code (decide, evolve, isTerminal): retried, then the instance is parked. */
export class DecideError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Plans a step, or returns undefined when the input needs no append (already taken,
 * not due yet, or aimed at a timer that no longer runs). Throws DecideError when the
 * definition's code throws.
 */
export function planStep(
  instance: Instance,
  input: StepInput,
  now: number,
  newest: () => Workflow | undefined,
  pick: (version: number) => Workflow | undefined,
): StepPlan | undefined {
  const builder = new StepBuilder(instance, now, pick);
  switch (input.kind) {
    case 'event': {
      const { event } = input;
      const recordedId = ids.input(instance.streamId, event.eventId);
      if (instance.recorded.has(recordedId)) return undefined;
      const ref: InputRef = { eventId: event.eventId, type: event.type, streamId: event.streamId, position: event.position, data: event.data };
      const decided = { type: event.type, data: event.data, eventId: event.eventId, streamId: event.streamId };
      if (instance.status === 'new') {
        const definition = newest()!;
        if (!definition.startedBy.includes(event.type)) return undefined;
        builder.start(recordedId, definition);
      }
      if (ENDED.has(instance.status) || instance.status === 'compensating') {
        builder.add(recordedId, T.inputIgnored, { input: ref, status: instance.status });
        return { ...builder.plan(null), late: decided };
      }
      if (instance.status === 'parked' || !instance.definition) {
        builder.add(recordedId, T.inputReceived, { input: ref, deferred: true });
        if (!instance.definition) builder.park(recordedId, unknownVersion(instance));
        return builder.plan(null);
      }
      builder.add(recordedId, T.inputReceived, { input: ref, decidedAt: new Date(now).toISOString() });
      builder.decide(recordedId, decided);
      return builder.plan(decided);
    }
    case 'timer': {
      const timer = instance.timers.get(input.timerId);
      const recordedId = ids.fired(input.timerId);
      if (!timer || timer.state !== 'scheduled' || instance.recorded.has(recordedId) || Date.parse(timer.dueAt) > now) return undefined;
      const data = firedData(timer, now);
      if (instance.status === 'parked' || !instance.definition) {
        builder.add(recordedId, T.timerFired, { ...data, deferred: true });
        return builder.plan(null);
      }
      const event = builder.add(recordedId, T.timerFired, { ...data, decidedAt: new Date(now).toISOString() });
      const decided = { type: T.timerFired, data: event.data, eventId: recordedId, streamId: instance.streamId };
      builder.decide(recordedId, decided);
      return builder.plan(decided);
    }
    case 'commandDone': {
      const recordedId = ids.done(input.commandId);
      if (instance.recorded.has(recordedId) || !instance.commands.has(input.commandId)) return undefined;
      const done: CommandDoneData = { commandId: input.commandId, outcome: input.outcome, reason: input.reason };
      if (instance.status === 'parked') {
        builder.add(recordedId, T.commandDone, { ...done, deferred: true });
        return builder.plan(null);
      }
      const event = builder.add(recordedId, T.commandDone, { ...done, decidedAt: new Date(now).toISOString() });
      if (isCompensation(instance, input.commandId)) {
        builder.continueCompensation(recordedId, done);
        return builder.plan(null);
      }
      // A step that was still under way when compensation began: once it is done, it is undone too.
      if (instance.status === 'compensating') {
        builder.resumeCompensation(recordedId);
        return builder.plan(null);
      }
      if (instance.status !== 'running' || !instance.definition) return builder.plan(null);
      const decided = { type: T.commandDone, data: event.data, eventId: recordedId, streamId: instance.streamId };
      builder.decide(recordedId, decided);
      return builder.plan(decided);
    }
    case 'resume': {
      const next = instance.pending[0];
      if (!next || instance.status === 'parked') return undefined;
      const resumedId = ids.resumed(next.recordedId);
      if (!instance.definition) {
        builder.park(resumedId, unknownVersion(instance));
        return builder.plan(null);
      }
      builder.add(resumedId, T.inputResumed, { recordedId: next.recordedId, decidedAt: new Date(now).toISOString() });
      const { input: pending } = next;
      if (pending.type === T.commandDone && isCompensation(instance, (pending.data as CommandDoneData).commandId)) {
        builder.continueCompensation(resumedId, pending.data as CommandDoneData);
        return builder.plan(null);
      }
      if (pending.type === T.commandDone && instance.status === 'compensating') {
        builder.resumeCompensation(resumedId);
        return builder.plan(null);
      }
      if (instance.status !== 'running') return builder.plan(null);
      builder.decide(resumedId, pending);
      return builder.plan(pending);
    }
  }
}

/**
 * Parks the instance after its input kept failing: the input is recorded (to be
 * decided on `retry`) with the error. Undefined when it was already recorded.
 */
export function planPark(
  instance: Instance,
  input: StepInput,
  error: string,
  now: number,
  newest: () => Workflow | undefined,
  pick: (version: number) => Workflow | undefined,
): NewEvent[] | undefined {
  const builder = new StepBuilder(instance, now, pick);
  let recordedId: string;
  switch (input.kind) {
    case 'event': {
      const { event } = input;
      recordedId = ids.input(instance.streamId, event.eventId);
      if (instance.recorded.has(recordedId)) return undefined;
      // Parked on its first input, it still starts: a retry then decides that input on its version.
      if (instance.status === 'new') builder.start(recordedId, newest());
      const ref: InputRef = { eventId: event.eventId, type: event.type, streamId: event.streamId, position: event.position, data: event.data };
      builder.add(recordedId, T.inputReceived, { input: ref, deferred: true });
      break;
    }
    case 'timer': {
      const timer = instance.timers.get(input.timerId);
      recordedId = ids.fired(input.timerId);
      if (!timer || instance.recorded.has(recordedId)) return undefined;
      builder.add(recordedId, T.timerFired, { ...firedData(timer, now), deferred: true });
      break;
    }
    case 'commandDone': {
      recordedId = ids.done(input.commandId);
      if (instance.recorded.has(recordedId)) return undefined;
      builder.add(recordedId, T.commandDone, { commandId: input.commandId, outcome: input.outcome, reason: input.reason, deferred: true });
      break;
    }
    case 'resume':
      recordedId = ids.resumed(instance.pending[0]?.recordedId ?? instance.streamId);
      break;
  }
  builder.park(recordedId, error);
  return builder.plan(null).events;
}

/** Parks an instance whose command could not be delivered: the command stays pending until `retry`. */
export function planCommandPark(instance: Instance, commandId: string, error: string, now: number, pick: (version: number) => Workflow | undefined): NewEvent[] {
  const builder = new StepBuilder(instance, now, pick);
  builder.park(ids.parked(commandId + instance.streamVersion), error);
  return builder.plan(null).events;
}

/** A hash of the state's JSON with sorted keys: PostgreSQL's jsonb gives keys back in another order. */
export function stateHash(state: unknown): string {
  return createHash('sha256').update(canonicalJson(state)).digest('hex').slice(0, 32);
}

export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function firedData(timer: TimerView, now: number): Record<string, unknown> {
  const data: TimerFiredData = {
    timerId: timer.timerId,
    name: timer.name,
    dueAt: timer.dueAt,
    payload: timer.payload,
    firedAt: new Date(now).toISOString(),
    latenessMs: Math.max(0, now - Date.parse(timer.dueAt)),
  };
  return data as unknown as Record<string, unknown>;
}

function unknownVersion(instance: Instance): string {
  return `version ${instance.definitionVersion} of workflow ${instance.workflow} is not registered in this process`;
}

class StepBuilder {
  private readonly events: NewEvent[] = [];

  constructor(
    private readonly instance: Instance,
    private readonly now: number,
    private readonly pick: (version: number) => Workflow | undefined,
  ) {}

  /** Adds an event and applies it to the instance at once. */
  add(eventId: string, type: string, data: Record<string, unknown>): NewEvent<string, Record<string, unknown>> {
    const event = { type, data, eventId };
    this.events.push(event);
    const recorded: RecordedEvent = {
      ...event,
      streamId: this.instance.streamId,
      version: this.instance.streamVersion + 1,
      position: 0,
      metadata: undefined,
      recordedAt: new Date(this.now),
    };
    try {
      applyEvent(this.instance, recorded, this.pick);
    } catch (error) {
      throw new DecideError(error);
    }
    return event;
  }

  start(inputId: string, definition: Workflow | undefined): void {
    if (!definition) return;
    const { streamId, workflow } = this.instance;
    const instanceId = instanceIdOf(workflow, streamId);
    this.add(ids.started(streamId, inputId), T.started, { workflow, instanceId, version: definition.version, definitionHash: definition.hash });
  }

  park(stepId: string, error: string): void {
    this.add(ids.parked(stepId), T.parked, { error, at: new Date(this.now).toISOString() });
  }

  decide(stepId: string, input: StepInputEvent): void {
    const definition = this.instance.definition!;
    const context: WorkflowContext = { now: new Date(this.now), id: (name) => ids.named(stepId, String(name)) };
    let outputs: readonly WorkflowOutput[];
    try {
      const decided: unknown = definition.decide(input, this.instance.state, context);
      assertOutputs(decided);
      outputs = decided;
    } catch (error) {
      throw new DecideError(error);
    }
    let index = 0;
    const next = () => ids.output(stepId, index++);
    for (const output of outputs) {
      if (this.instance.status !== 'running') break;
      this.output(output, next);
    }
    let terminal = false;
    try {
      terminal = this.instance.status === 'running' && definition.isTerminal?.(this.instance.state) === true;
    } catch (error) {
      throw new DecideError(error);
    }
    if (terminal) this.end(next, T.completed, {});
  }

  private output(output: WorkflowOutput, next: () => string): void {
    switch (output.kind) {
      case 'send': {
        const commandId = next();
        const data: CommandSentData = { commandId, command: output.command, compensation: output.compensation, compensates: null };
        this.add(commandId, T.commandSent, data as unknown as Record<string, unknown>);
        return;
      }
      case 'publish':
        this.add(next(), OUTBOX_MESSAGE, { subject: output.subject, payload: output.payload });
        return;
      case 'schedule': {
        const existing = activeTimer(this.instance, output.name);
        if (existing) this.add(next(), T.timerCancelled, { timerId: existing.timerId, name: existing.name });
        const timerId = next();
        const dueAt = output.at ?? new Date(this.now + output.afterMs!);
        const data: TimerScheduledData = { timerId, name: output.name, dueAt: dueAt.toISOString(), payload: output.payload };
        this.add(timerId, T.timerScheduled, data as unknown as Record<string, unknown>);
        return;
      }
      case 'cancel': {
        const timer = activeTimer(this.instance, output.name);
        if (timer) this.add(next(), T.timerCancelled, { timerId: timer.timerId, name: timer.name });
        return;
      }
      case 'complete':
        this.end(next, T.completed, {});
        return;
      case 'fail':
        this.end(next, T.failed, { reason: output.reason, compensation: null });
        return;
      case 'compensate':
        this.end(next, T.compensating, { reason: output.reason });
        this.nextCompensation(next);
        return;
    }
  }

  /** Ends the instance: its timers are cancelled first, so none fires after. */
  private end(next: () => string, type: string, data: Record<string, unknown>): void {
    for (const timer of this.instance.timers.values()) {
      if (timer.state === 'scheduled') this.add(next(), T.timerCancelled, { timerId: timer.timerId, name: timer.name });
    }
    this.add(next(), type, data);
  }

  /**
   * Sends the compensation of the newest completed step not yet undone, or ends the
   * instance compensated. While a command is still under way it waits: a step that
   * succeeds late is undone too, and compensations run one at a time.
   */
  private nextCompensation(next: () => string): void {
    const commands = [...this.instance.commands.values()];
    if (commands.some((c) => c.outcome === 'pending')) return;
    const undone = new Set(commands.map((c) => c.compensates).filter((id) => id !== null));
    const step = commands.reverse().find((c) => c.compensates === null && c.outcome === 'succeeded' && c.compensation !== null && !undone.has(c.commandId));
    if (!step) {
      this.add(next(), T.compensated, { reason: this.instance.endReason });
      return;
    }
    const commandId = next();
    const data: CommandSentData = { commandId, command: step.compensation!, compensation: null, compensates: step.commandId };
    this.add(commandId, T.commandSent, data as unknown as Record<string, unknown>);
  }

  resumeCompensation(stepId: string): void {
    let index = 0;
    this.nextCompensation(() => ids.output(stepId, index++));
  }

  continueCompensation(stepId: string, done: CommandDoneData): void {
    let index = 0;
    const next = () => ids.output(stepId, index++);
    if (done.outcome === 'succeeded') {
      this.nextCompensation(next);
      return;
    }
    const command = this.instance.commands.get(done.commandId)!.command;
    this.add(next(), T.failed, { reason: `compensation ${command.type} was refused: ${done.reason ?? 'no reason given'}`, compensation: command.type });
  }

  plan(decided: StepInputEvent | null): StepPlan {
    // The state after the step, for `verify` to compare a new definition's against.
    const last = this.events.at(-1);
    if (last) last.metadata = { stateAfter: this.instance.definition ? stateHash(this.instance.state) : null };
    return { events: this.events, decided, late: null };
  }
}
