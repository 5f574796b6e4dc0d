// Commands arrive from outside (code, JSON, a form), so their shape is checked
// before any rule runs. Each failure is a ValidationError naming the field.

import { ValidationError } from '../../src/index.js';
import { POST_COMMAND_TYPES, type PostCommand } from './commands.js';

export const MAX_ID_LENGTH = 100;
export const MAX_TITLE_LENGTH = 200;
export const MAX_BODY_LENGTH = 100_000;
export const MAX_REASON_LENGTH = 500;

type Fields = Record<string, unknown>;
type CommandType = PostCommand['type'];

const FIELDS: Record<CommandType, readonly string[]> = {
  CreatePost: ['postId', 'title', 'body', 'authorId'],
  EditPost: ['postId', 'title', 'body'],
  PublishPost: ['postId'],
  UnpublishPost: ['postId'],
  SubmitPostForReview: ['postId'],
  ReviewPost: ['postId', 'decision', 'reason', 'publishAt'],
  StartReview: ['postId', 'reviewDeadline'],
  ReturnPostToDraft: ['postId'],
};

const PARSERS: { [T in CommandType]: (fields: Fields) => Extract<PostCommand, { type: T }> } = {
  CreatePost: (c) => ({
    type: 'CreatePost',
    postId: id(c, 'postId'),
    title: title(c),
    body: body(c),
    authorId: id(c, 'authorId'),
  }),
  EditPost: (c) => {
    const postId = id(c, 'postId');
    if (c.title === undefined && c.body === undefined) throw new ValidationError('title', 'an edit needs a title, a body or both');
    return {
      type: 'EditPost',
      postId,
      ...(c.title !== undefined && { title: title(c) }),
      ...(c.body !== undefined && { body: body(c) }),
    };
  },
  PublishPost: (c) => ({ type: 'PublishPost', postId: id(c, 'postId') }),
  UnpublishPost: (c) => ({ type: 'UnpublishPost', postId: id(c, 'postId') }),
  SubmitPostForReview: (c) => ({ type: 'SubmitPostForReview', postId: id(c, 'postId') }),
  ReviewPost: (c) => {
    const postId = id(c, 'postId');
    const decision = c.decision;
    if (decision !== 'approve' && decision !== 'reject') throw new ValidationError('decision', `must be 'approve' or 'reject', got ${describe(decision)}`);
    if (decision === 'approve') {
      if (c.reason !== undefined) throw new ValidationError('reason', 'is given only to reject');
      return { type: 'ReviewPost', postId, decision, ...(c.publishAt !== undefined && { publishAt: isoTime(c, 'publishAt') }) };
    }
    if (c.publishAt !== undefined) throw new ValidationError('publishAt', 'is given only to approve');
    return { type: 'ReviewPost', postId, decision, reason: reason(c) };
  },
  StartReview: (c) => ({ type: 'StartReview', postId: id(c, 'postId'), reviewDeadline: isoTime(c, 'reviewDeadline') }),
  ReturnPostToDraft: (c) => ({ type: 'ReturnPostToDraft', postId: id(c, 'postId') }),
};

/** Returns the command with its title trimmed, or throws a ValidationError naming the field. */
export function parsePostCommand(input: unknown): PostCommand {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('command', `must be an object, got ${describe(input)}`);
  }
  const fields = input as Fields;
  const type = fields.type;
  if (!isCommandType(type)) {
    throw new ValidationError('type', `must be one of ${POST_COMMAND_TYPES.join(', ')}, got ${describe(type)}`);
  }
  for (const key of Object.keys(fields)) {
    if (key !== 'type' && !FIELDS[type].includes(key)) throw new ValidationError(key, `is not a field of ${type}`);
  }
  return PARSERS[type](fields);
}

function isCommandType(value: unknown): value is CommandType {
  return (POST_COMMAND_TYPES as readonly unknown[]).includes(value);
}

// Ids become part of stream ids and URLs: no spaces, no control characters, no lone surrogates.
const NOT_IN_ID = /[\s\p{Cc}\p{Cs}]/u;

function id(fields: Fields, field: string): string {
  const value = text(fields, field);
  if (value.length === 0) throw new ValidationError(field, 'must not be empty');
  if (length(value) > MAX_ID_LENGTH) throw new ValidationError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  if (NOT_IN_ID.test(value)) throw new ValidationError(field, 'must not contain spaces or control characters');
  return value;
}

function title(fields: Fields): string {
  const value = text(fields, 'title').trim();
  if (value.length === 0) throw new ValidationError('title', 'must not be blank');
  if (length(value) > MAX_TITLE_LENGTH) throw new ValidationError('title', `must be at most ${MAX_TITLE_LENGTH} characters`);
  if (/[\r\n]/.test(value)) throw new ValidationError('title', 'must be one line');
  return value;
}

function body(fields: Fields): string {
  const value = text(fields, 'body');
  if (length(value) > MAX_BODY_LENGTH) throw new ValidationError('body', `must be at most ${MAX_BODY_LENGTH} characters`);
  return value;
}

function reason(fields: Fields): string {
  const value = text(fields, 'reason').trim();
  if (value.length === 0) throw new ValidationError('reason', 'must not be blank: a rejection says why');
  if (length(value) > MAX_REASON_LENGTH) throw new ValidationError('reason', `must be at most ${MAX_REASON_LENGTH} characters`);
  return value;
}

// A date and a time with seconds optional, fractions of a second optional, and a zone: Z or ±hh:mm.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO time with its zone, given back in UTC (`2026-05-01T09:00:00.000Z`), so equal times are equal text. */
function isoTime(fields: Fields, field: string): string {
  const value = text(fields, field);
  const ms = ISO_TIME.test(value) && isCalendarDate(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(field, `must be an ISO time with its zone, like 2026-05-01T09:00:00Z, got ${describe(value)}`);
  return new Date(ms).toISOString();
}

/** Date.parse reads 2026-02-30 as 2 March and 24:00 as the next day's midnight; neither is a time anyone wrote. */
function isCalendarDate(value: string): boolean {
  const [year, month, day, hour] = [value.slice(0, 4), value.slice(5, 7), value.slice(8, 10), value.slice(11, 13)].map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24;
}

function text(fields: Fields, field: string): string {
  const value = fields[field];
  if (value === undefined) throw new ValidationError(field, 'is required');
  if (typeof value !== 'string') throw new ValidationError(field, `must be a string, got ${describe(value)}`);
  return value;
}

/** Characters as a reader counts them (code points), not UTF-16 units. */
function length(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}
