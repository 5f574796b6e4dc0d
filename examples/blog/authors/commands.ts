// What can be asked about authors, and the check of each command's shape before any rule
// runs (commands also arrive as JSON). Each failure is a ValidationError naming the field.

import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../../src/index.js';

/** `authorId` is a surrogate id made by `newAuthorId()`: never an email or a name, since ids stay in the clear. */
export interface RegisterAuthor {
  type: 'RegisterAuthor';
  authorId: string;
  name: string;
  email: string;
}

/** Gives a new name, a new email, or both. */
export interface ChangeAuthorProfile {
  type: 'ChangeAuthorProfile';
  authorId: string;
  name?: string;
  email?: string;
}

/** Sent by `forgetAuthor`, before the author's keys are destroyed. */
export interface ForgetAuthor {
  type: 'ForgetAuthor';
  authorId: string;
}

export type AuthorCommand = RegisterAuthor | ChangeAuthorProfile | ForgetAuthor;

export const MAX_NAME_LENGTH = 100;
export const MAX_EMAIL_LENGTH = 254;

const AUTHOR_ID = /^author-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Shaped like an email: something, an @, a domain with a dot. Whether it is theirs is another question.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

const FIELDS: Record<AuthorCommand['type'], readonly string[]> = {
  RegisterAuthor: ['authorId', 'name', 'email'],
  ChangeAuthorProfile: ['authorId', 'name', 'email'],
  ForgetAuthor: ['authorId'],
};

/** A new surrogate id for an author: `author-<uuid>`. */
export function newAuthorId(): string {
  return `author-${randomUUID()}`;
}

/** An author's stream is named by its id, which already says it is an author's. */
export function authorStreamId(authorId: string): string {
  return authorId;
}

/** Returns the command with its name and email trimmed, or throws a ValidationError naming the field. */
export function parseAuthorCommand(input: unknown): AuthorCommand {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ValidationError('command', 'must be an object');
  const fields = input as Record<string, unknown>;
  const type = fields.type;
  if (type !== 'RegisterAuthor' && type !== 'ChangeAuthorProfile' && type !== 'ForgetAuthor') {
    throw new ValidationError('type', `must be one of ${Object.keys(FIELDS).join(', ')}`);
  }
  for (const key of Object.keys(fields)) {
    if (key !== 'type' && !FIELDS[type].includes(key)) throw new ValidationError(key, `is not a field of ${type}`);
  }
  const authorId = parseAuthorId(fields.authorId);
  switch (type) {
    case 'RegisterAuthor':
      return { type, authorId, name: name(fields.name), email: email(fields.email) };
    case 'ChangeAuthorProfile':
      if (fields.name === undefined && fields.email === undefined) throw new ValidationError('name', 'a change needs a name, an email or both');
      return {
        type,
        authorId,
        ...(fields.name !== undefined && { name: name(fields.name) }),
        ...(fields.email !== undefined && { email: email(fields.email) }),
      };
    case 'ForgetAuthor':
      return { type, authorId };
  }
}

/** The author id, or a ValidationError on `authorId` when it is not a surrogate id (an email, say). The message never repeats it. */
export function parseAuthorId(value: unknown): string {
  if (typeof value !== 'string' || !AUTHOR_ID.test(value)) throw new ValidationError('authorId', 'must be a surrogate id author-<uuid> (newAuthorId())');
  return value;
}

// Errors never repeat the value: it is personal data, and error messages end up in logs.
function name(value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError('name', 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new ValidationError('name', 'must not be blank');
  if ([...trimmed].length > MAX_NAME_LENGTH) throw new ValidationError('name', `must be at most ${MAX_NAME_LENGTH} characters`);
  if (/[\p{Cc}]/u.test(trimmed)) throw new ValidationError('name', 'must be one line without control characters');
  return trimmed;
}

function email(value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError('email', 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length > MAX_EMAIL_LENGTH || !EMAIL.test(trimmed)) throw new ValidationError('email', 'must be shaped like an email (name@example.org)');
  return trimmed;
}
