// Commands arrive from outside (code, JSON, a form), so their shape is checked
// before any rule runs. Each failure is a ValidationError naming the field.

import { ValidationError } from '../../src/index.js';
import { POST_COMMAND_TYPES, type PostCommand } from './commands.js';

export const MAX_ID_LENGTH = 100;
export const MAX_TITLE_LENGTH = 200;
export const MAX_BODY_LENGTH = 100_000;

type Fields = Record<string, unknown>;
type CommandType = PostCommand['type'];

const FIELDS: Record<CommandType, readonly string[]> = {
  CreatePost: ['postId', 'title', 'body', 'authorId'],
  EditPost: ['postId', 'title', 'body'],
  PublishPost: ['postId'],
  UnpublishPost: ['postId'],
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
