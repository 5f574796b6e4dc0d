// What a workflow instance's stream holds. Inputs, outputs, timers and the instance's
// ends are ordinary events, in the same store as the domain: the stream is the
// instance's whole history, and everything the runtime knows is folded from it.

import { derivedId } from '../core/uuid.js';

export const WorkflowEventTypes = {
  started: 'WorkflowStarted',
  inputReceived: 'WorkflowInputReceived',
  inputResumed: 'WorkflowInputResumed',
  inputIgnored: 'WorkflowInputIgnored',
  commandSent: 'WorkflowCommandSent',
  commandDone: 'WorkflowCommandDone',
  timerScheduled: 'TimerScheduled',
  timerCancelled: 'TimerCancelled',
  timerFired: 'TimerFired',
  completed: 'WorkflowCompleted',
  failed: 'WorkflowFailed',
  compensating: 'WorkflowCompensating',
  compensated: 'WorkflowCompensated',
  parked: 'WorkflowParked',
  retried: 'WorkflowRetried',
} as const;

// An integration message: an event whose id is the message id, relayed to a broker by the outbox.
export { OUTBOX_MESSAGE, type OutboxMessageData } from './outbox/message.js';

/** The event that an instance consumed, as it was in its own stream. */
export interface InputRef {
  eventId: string;
  type: string;
  streamId: string;
  position: number;
  data: unknown;
}

/** A command as a workflow sends it: a plain object with a `type`, handled by the application's handler of that type. */
export interface WorkflowCommand {
  type: string;
  [field: string]: unknown;
}

export interface CommandSentData {
  commandId: string;
  command: WorkflowCommand;
  /** The command that undoes this one, run when the instance compensates. */
  compensation: WorkflowCommand | null;
  /** Set on a compensation: the command it undoes. */
  compensates: string | null;
}

export interface CommandDoneData {
  commandId: string;
  outcome: 'succeeded' | 'rejected';
  reason: string | null;
}

export interface TimerScheduledData {
  timerId: string;
  name: string;
  /** ISO time. */
  dueAt: string;
  payload: unknown;
}

export interface TimerFiredData extends TimerScheduledData {
  firedAt: string;
  /** How long after its due time the timer fired: downtime shows here. */
  latenessMs: number;
}

export const WORKFLOW_STREAM_PREFIX = 'workflow-';

export function workflowStreamId(workflow: string, instanceId: string): string {
  return `${WORKFLOW_STREAM_PREFIX}${workflow}-${instanceId}`;
}

/** The instance id in an instance's stream id, `workflow-<workflow>-<id>`. */
export function instanceIdOf(workflow: string, streamId: string): string {
  return streamId.slice(instancePrefix(workflow).length);
}

/** The stream prefix of every instance of `workflow`. */
export function instancePrefix(workflow: string): string {
  return `${WORKFLOW_STREAM_PREFIX}${workflow}-`;
}

/** Deterministic ids: the same step, written again, is the same append, which the store takes as a retry. */
export const ids = {
  started: (streamId: string, inputId: string) => derivedId('workflow-started', streamId, inputId),
  input: (streamId: string, sourceEventId: string) => derivedId('workflow-input', streamId, sourceEventId),
  resumed: (inputId: string) => derivedId('workflow-resumed', inputId),
  output: (stepId: string, index: number) => derivedId('workflow-output', stepId, String(index)),
  named: (stepId: string, name: string) => derivedId('workflow-named', stepId, name),
  fired: (timerId: string) => derivedId('workflow-timer-fired', timerId),
  done: (commandId: string) => derivedId('workflow-command-done', commandId),
  parked: (stepId: string) => derivedId('workflow-parked', stepId),
};
