// An instance as the runtime sees it: its stream folded into status, timers, commands
// and the application's state. Nothing else is kept anywhere: the index tables are
// only there to find instances and due timers fast.

import type { RecordedEvent } from '../core/events.js';
import type { Workflow, WorkflowEvent } from './definition.js';
import {
  WorkflowEventTypes as T,
  type CommandDoneData,
  type CommandSentData,
  type InputRef,
  type TimerFiredData,
  type TimerScheduledData,
  type WorkflowCommand,
} from './events.js';

export type InstanceStatus = 'new' | 'running' | 'completed' | 'failed' | 'compensating' | 'compensated' | 'parked';

export const ENDED: ReadonlySet<InstanceStatus> = new Set(['completed', 'failed', 'compensated']);

export interface TimerView {
  timerId: string;
  name: string;
  dueAt: string;
  payload: unknown;
  state: 'scheduled' | 'fired' | 'cancelled';
  firedAt: string | null;
  latenessMs: number | null;
}

export interface CommandView {
  commandId: string;
  command: WorkflowCommand;
  compensation: WorkflowCommand | null;
  compensates: string | null;
  outcome: 'pending' | 'succeeded' | 'rejected';
  reason: string | null;
}

/** A step's input waiting while the instance is parked: an event from the log, a fired timer or a command's outcome. */
export interface PendingInput {
  /** The id of the event that recorded it in the instance's stream. */
  recordedId: string;
  input: StepInputEvent;
}

/** An input as decide and evolve see it. */
export interface StepInputEvent extends WorkflowEvent {
  eventId: string;
  streamId: string;
}

export interface Instance<State = unknown> {
  streamId: string;
  workflow: string;
  /** The stream's version: the next append expects it. */
  streamVersion: number;
  status: InstanceStatus;
  /** The status before it was parked. */
  parkedFrom: InstanceStatus | null;
  parkedError: string | null;
  definitionVersion: number | null;
  definitionHash: string | null;
  /** The definition its version names, when this process has it. */
  definition: Workflow<State> | undefined;
  state: State;
  /** Ids of events recorded in the stream: a step whose first id is here was taken already. */
  recorded: Set<string>;
  pending: PendingInput[];
  timers: Map<string, TimerView>;
  commands: Map<string, CommandView>;
  endReason: string | null;
}

export function emptyInstance<State>(streamId: string, workflow: string, definition: Workflow<State> | undefined): Instance<State> {
  return {
    streamId,
    workflow,
    streamVersion: 0,
    status: 'new',
    parkedFrom: null,
    parkedError: null,
    definitionVersion: null,
    definitionHash: null,
    definition,
    state: definition ? definition.initialState() : (undefined as State),
    recorded: new Set(),
    pending: [],
    timers: new Map(),
    commands: new Map(),
    endReason: null,
  };
}

/** The input recorded by a WorkflowInputReceived, as decide saw it. */
export function inputOf(ref: InputRef): StepInputEvent {
  return { type: ref.type, data: ref.data, eventId: ref.eventId, streamId: ref.streamId };
}

/**
 * Applies one event of the instance's stream. `pick` chooses the definition once the
 * instance names its version. evolve sees each decided input and each output.
 */
export function applyEvent<State>(instance: Instance<State>, event: RecordedEvent, pick: (version: number) => Workflow<State> | undefined): void {
  instance.streamVersion = event.version;
  instance.recorded.add(event.eventId);
  const data = event.data as Record<string, unknown>;
  const evolve = (e: WorkflowEvent) => {
    if (instance.definition) instance.state = instance.definition.evolve(instance.state, e);
  };
  switch (event.type) {
    case T.started: {
      instance.definitionVersion = data.version as number;
      instance.definitionHash = data.definitionHash as string;
      instance.definition = pick(instance.definitionVersion);
      if (instance.definition) instance.state = instance.definition.initialState();
      instance.status = 'running';
      return;
    }
    case T.inputReceived: {
      const input = inputOf(data.input as InputRef);
      if (data.deferred === true) instance.pending.push({ recordedId: event.eventId, input });
      else evolve(input);
      return;
    }
    case T.timerFired:
    case T.commandDone: {
      if (event.type === T.timerFired) fireTimer(instance, data as unknown as TimerFiredData);
      else finishCommand(instance, data as unknown as CommandDoneData);
      const input = { type: event.type, data: event.data, eventId: event.eventId, streamId: event.streamId };
      if (data.deferred === true) instance.pending.push({ recordedId: event.eventId, input });
      else if (!(event.type === T.commandDone && isCompensation(instance, data.commandId as string))) evolve(input);
      return;
    }
    case T.inputResumed: {
      const index = instance.pending.findIndex((p) => p.recordedId === data.recordedId);
      if (index >= 0) evolve(instance.pending.splice(index, 1)[0]!.input);
      return;
    }
    case T.inputIgnored:
      return;
    case T.commandSent: {
      const sent = data as unknown as CommandSentData;
      instance.commands.set(sent.commandId, { ...sent, outcome: 'pending', reason: null });
      break;
    }
    case T.timerScheduled: {
      const timer = data as unknown as TimerScheduledData;
      instance.timers.set(timer.timerId, { ...timer, state: 'scheduled', firedAt: null, latenessMs: null });
      break;
    }
    case T.timerCancelled: {
      const timer = instance.timers.get(data.timerId as string);
      if (timer && timer.state === 'scheduled') timer.state = 'cancelled';
      break;
    }
    case T.completed:
      instance.status = 'completed';
      break;
    case T.failed:
      instance.status = 'failed';
      instance.endReason = data.reason as string;
      break;
    case T.compensating:
      instance.status = 'compensating';
      instance.endReason = data.reason as string;
      break;
    case T.compensated:
      instance.status = 'compensated';
      break;
    case T.parked:
      if (instance.status !== 'parked') instance.parkedFrom = instance.status;
      instance.status = 'parked';
      instance.parkedError = data.error as string;
      return;
    case T.retried:
      if (instance.status === 'parked') instance.status = instance.parkedFrom ?? 'running';
      instance.parkedFrom = null;
      instance.parkedError = null;
      return;
    default:
      break;
  }
  evolve({ type: event.type, data: event.data });
}

export function foldInstance<State>(
  streamId: string,
  workflow: string,
  events: readonly RecordedEvent[],
  pick: (version: number) => Workflow<State> | undefined,
  fallback: Workflow<State> | undefined,
): Instance<State> {
  const instance = emptyInstance(streamId, workflow, fallback);
  for (const event of events) applyEvent(instance, event, pick);
  return instance;
}

export function activeTimer(instance: Instance, name: string): TimerView | undefined {
  for (const timer of instance.timers.values()) if (timer.name === name && timer.state === 'scheduled') return timer;
  return undefined;
}

function fireTimer(instance: Instance, fired: TimerFiredData): void {
  const timer = instance.timers.get(fired.timerId);
  if (!timer) return;
  timer.state = 'fired';
  timer.firedAt = fired.firedAt;
  timer.latenessMs = fired.latenessMs;
}

function finishCommand(instance: Instance, done: CommandDoneData): void {
  const command = instance.commands.get(done.commandId);
  if (!command) return;
  command.outcome = done.outcome;
  command.reason = done.reason;
}

export function isCompensation(instance: Instance, commandId: string): boolean {
  return instance.commands.get(commandId)?.compensates != null;
}
