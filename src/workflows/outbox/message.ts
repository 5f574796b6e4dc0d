// An outbox message is an ordinary event of type OutboxMessage: its data names the
// subject and carries the payload, and its event id is the message id the broker and
// every consumer deduplicate by. Bad messages are refused where they enter the log
// (outboxMessage, or the append guard); the relay never has to publish one.

import { ValidationError } from '../../core/errors.js';
import type { JsonValue, NewEvent, RecordedEvent } from '../../core/events.js';
import { describe, nameProblem, objectProblem } from '../../core/validation.js';
import type { EventStore } from '../../store/event-store.js';

export const OUTBOX_MESSAGE = 'OutboxMessage';

export interface OutboxMessageData {
  subject: string;
  payload: JsonValue;
}

/** A message as the relay hands it to a publisher. */
export interface OutboxMessage {
  /** The event id: the same for every delivery of this message. */
  id: string;
  subject: string;
  payload: JsonValue;
  /** Where it was recorded: its instance stream, and its place there. */
  streamId: string;
  version: number;
  position: number;
}

/**
 * The event that puts a message in the outbox, checked here: append it to the
 * workflow instance's stream, in the same append as the events that caused it.
 *
 * @example
 * await store.appendToStream('workflow-review-p1', [
 *   { type: 'ReviewPassed', data: { postId: 'p1' } },
 *   outboxMessage('blog.posts.published', { postId: 'p1' }),
 * ]);
 */
export function outboxMessage(subject: string, payload: JsonValue, options: { eventId?: string } = {}): NewEvent<typeof OUTBOX_MESSAGE, OutboxMessageData> {
  const data = { subject, payload };
  assertOutboxData(data, 'data');
  return { type: OUTBOX_MESSAGE, data, ...(options.eventId === undefined ? {} : { eventId: options.eventId }) };
}

/** Throws a ValidationError naming the field when `data` is no outbox message's data. */
export function assertOutboxData(data: unknown, field: string): asserts data is OutboxMessageData {
  const problem = outboxDataProblem(data, field);
  if (problem) throw new ValidationError(problem.field, problem.reason);
}

/**
 * Refuses, in every append this store makes from now on, an OutboxMessage whose data is
 * not `{ subject, payload }`: the append throws a ValidationError and writes nothing.
 * An application that appends outbox messages without `outboxMessage` installs it once
 * at start. Returns a function that removes it.
 */
export function guardOutboxMessages(store: EventStore): () => void {
  return store.addAppendHook(async (events) => {
    events.forEach((event, i) => {
      if (event.type === OUTBOX_MESSAGE) assertOutboxData(event.data, `events[${i}].data`);
    });
  });
}

/** The message an event carries, or the reason it carries none the relay can publish. */
export function messageOf(event: RecordedEvent): OutboxMessage | { problem: string } {
  const problem = outboxDataProblem(event.data, 'data');
  if (problem) return { problem: `${problem.field}: ${problem.reason}` };
  const { subject, payload } = event.data as OutboxMessageData;
  return { id: event.eventId, subject, payload, streamId: event.streamId, version: event.version, position: event.position };
}

function outboxDataProblem(data: unknown, field: string): { field: string; reason: string } | undefined {
  const notObject = objectProblem(data);
  if (notObject) return { field, reason: notObject };
  const { subject, payload } = data as Record<string, unknown>;
  const badSubject = subjectProblem(subject);
  if (badSubject) return { field: `${field}.subject`, reason: badSubject };
  if (payload === undefined) return { field: `${field}.payload`, reason: 'must be a JSON value, got undefined' };
  return undefined;
}

/**
 * A subject is dot-separated tokens with no white space and no wildcard, so that every
 * broker can publish on it as it is (NATS refuses the rest).
 */
function subjectProblem(subject: unknown): string | undefined {
  const problem = nameProblem(subject);
  if (problem) return problem;
  const text = subject as string;
  if (/\s/.test(text)) return `must not contain white space, got ${describe(text)}`;
  const tokens = text.split('.');
  if (tokens.some((token) => token === '')) return `must be tokens separated by single dots, got ${describe(text)}`;
  if (tokens.some((token) => token === '*' || token === '>')) return `must not contain a wildcard, got ${describe(text)}`;
  return undefined;
}
