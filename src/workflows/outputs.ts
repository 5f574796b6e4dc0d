// What a workflow's decide returns: plain values naming what should happen. The
// runtime turns them into events of the instance's stream, in the same append as the
// input that caused them.

import { ValidationError } from '../core/errors.js';
import { assertName, describe } from '../core/validation.js';
import type { JsonValue } from '../core/events.js';
import type { WorkflowCommand } from './events.js';
import { assertOutboxData } from './outbox/message.js';

export type WorkflowOutput =
  | { kind: 'send'; command: WorkflowCommand; compensation: WorkflowCommand | null }
  | { kind: 'publish'; subject: string; payload: JsonValue }
  | { kind: 'schedule'; name: string; at: Date | null; afterMs: number | null; payload: unknown }
  | { kind: 'cancel'; name: string }
  | { kind: 'complete' }
  | { kind: 'fail'; reason: string }
  | { kind: 'compensate'; reason: string };

/**
 * A command for the application's handler of `command.type`, appended to its stream
 * with ids derived from the command's id, so sending it again changes nothing. A
 * `compensation` is what undoes it, should the instance compensate later.
 */
export function send(command: WorkflowCommand, options: { compensation?: WorkflowCommand } = {}): WorkflowOutput {
  assertCommand(command, 'command');
  if (options.compensation !== undefined) assertCommand(options.compensation, 'compensation');
  return { kind: 'send', command, compensation: options.compensation ?? null };
}

/** An integration message for other systems, delivered by the outbox relay; its event id is the message id. The payload is JSON, as every event's data. */
export function publish(subject: string, payload: unknown): WorkflowOutput {
  assertOutboxData({ subject, payload }, 'publish');
  return { kind: 'publish', subject, payload: payload as JsonValue };
}

/** A timer: fires once, never before `at` (or `after` ms from now), as a TimerFired input. Scheduling a name again replaces it. */
export function schedule(timer: { name: string; at?: Date | string | number; after?: number; payload?: unknown }): WorkflowOutput {
  assertName(timer.name, 'name');
  const { at, after } = timer;
  if ((at === undefined) === (after === undefined)) throw new ValidationError('schedule', 'needs exactly one of `at` and `after`');
  if (after !== undefined && (typeof after !== 'number' || !Number.isFinite(after) || after < 0)) {
    throw new ValidationError('after', `must be milliseconds, 0 or more, got ${describe(after)}`);
  }
  const due = at === undefined ? null : new Date(at);
  if (due !== null && Number.isNaN(due.getTime())) throw new ValidationError('at', `must be a time, got ${describe(at)}`);
  return { kind: 'schedule', name: timer.name, at: due, afterMs: after ?? null, payload: timer.payload ?? null };
}

/** Cancels the timer of that name, if it is still to fire; a cancelled timer never fires. */
export function cancel(name: string): WorkflowOutput {
  assertName(name, 'name');
  return { kind: 'cancel', name };
}

export function complete(): WorkflowOutput {
  return { kind: 'complete' };
}

/** Ends the instance failed, without compensating. */
export function fail(reason: string): WorkflowOutput {
  return { kind: 'fail', reason: String(reason) };
}

/** Undoes the completed steps that declared a compensation, newest first; the instance ends compensated, or failed if one is refused. */
export function compensate(reason: string): WorkflowOutput {
  return { kind: 'compensate', reason: String(reason) };
}

const KINDS = new Set(['send', 'publish', 'schedule', 'cancel', 'complete', 'fail', 'compensate']);

/** Checks what decide returned; a thrown error here is retried and then parks the instance, as any other. */
export function assertOutputs(outputs: unknown): asserts outputs is readonly WorkflowOutput[] {
  if (!Array.isArray(outputs)) throw new ValidationError('decide', `must return an array of outputs, got ${describe(outputs)}`);
  outputs.forEach((output: unknown, i) => {
    const kind = (output as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !KINDS.has(kind)) {
      throw new ValidationError(`outputs[${i}]`, `must be made by send, publish, schedule, cancel, complete, fail or compensate, got ${describe(output)}`);
    }
  });
}

function assertCommand(command: unknown, field: string): asserts command is WorkflowCommand {
  if (typeof command !== 'object' || command === null || Array.isArray(command)) throw new ValidationError(field, `must be an object, got ${describe(command)}`);
  assertName((command as { type?: unknown }).type, `${field}.type`);
}
