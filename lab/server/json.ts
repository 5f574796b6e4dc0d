// The Lab's JSON: how recorded events and posts look on the wire, the shared schema
// pieces, and reading whole numbers from query strings (which arrive as text).

import type { RecordedEvent } from '../../src/index.js';
import { ValidationError } from '../../src/index.js';
import type { PostView } from '../../examples/blog/read-side/index.js';
import type { EventJson, PostAuthorJson, PostJson } from '../api-types.js';

export type { EventJson, PostJson } from '../api-types.js';

export function eventJson(event: RecordedEvent): EventJson {
  const { position, streamId, version, type, data, metadata, eventId, recordedAt } = event;
  return { position, streamId, version, type, data, metadata: metadata ?? null, eventId, recordedAt: recordedAt.toISOString() };
}

export function postJson(post: PostView, author: PostAuthorJson): PostJson {
  const { postId, title, authorId, status, createdAt, publishedAt, version } = post;
  return { postId, title, authorId, author, status, createdAt: createdAt.toISOString(), publishedAt: publishedAt?.toISOString() ?? null, version };
}

/** A whole number in a query string; the schema allows only digits, this checks the range. */
export const digits = { type: 'string', pattern: '^[0-9]{1,16}$' } as const;

/** An opaque cursor as the read side gives it out. */
export const cursorSchema = { type: 'string', minLength: 1, maxLength: 1000 } as const;

/** A path parameter: present and of a sane length. */
export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 1000 } },
} as const;

export function readInt(value: string | undefined, field: string, range: { min: number; max?: number; default: number }): number {
  if (value === undefined) return range.default;
  const number = Number(value);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(number) || number < range.min || number > max) {
    const bounds = range.max === undefined ? `>= ${range.min}` : `from ${range.min} to ${range.max}`;
    throw new ValidationError(field, `must be a whole number ${bounds}, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  return number;
}
