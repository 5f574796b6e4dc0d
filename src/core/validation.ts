// Checks on everything that crosses the public API, shared by every store.
// Each failure is a ValidationError naming the field.

import { ValidationError, type ExpectedVersion } from './errors.js';

export const MAX_NAME_LENGTH = 255;

/**
 * Stream ids and event types are stored as they are, not inside the JSON payload,
 * so they must be text every database keeps faithfully: PostgreSQL refuses U+0000,
 * and a lone surrogate has no UTF-8 form. A name of only whitespace is as good as
 * none, and is refused like an empty one.
 */
export function assertName(value: unknown, field: string): asserts value is string {
  const problem = nameProblem(value);
  if (problem !== undefined) throw new ValidationError(field, problem);
}

/** What is wrong with a stream id or event type, or undefined when nothing is. */
export function nameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${describe(value)}`;
  if (value.length === 0) return 'must not be empty';
  if (value.trim().length === 0) return 'must not be only whitespace';
  if (value.length > MAX_NAME_LENGTH && [...value].length > MAX_NAME_LENGTH) {
    return `must be at most ${MAX_NAME_LENGTH} characters`;
  }
  if (value.includes('\u0000')) return 'must not contain U+0000';
  if (!value.isWellFormed()) return 'must not contain a lone surrogate';
  return undefined;
}

export function assertExpectedVersion(value: unknown, field = 'expectedVersion'): asserts value is ExpectedVersion {
  if (value === 'any' || value === 'no_stream' || value === 'stream_exists') return;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return;
    throw new ValidationError(field, `must be a whole number >= 0, got ${value}`);
  }
  throw new ValidationError(
    field,
    `must be 'any', 'no_stream', 'stream_exists' or a version number, got ${describe(value)}`,
  );
}

/** A whole number within [min, max]. */
export function assertCount(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new ValidationError(field, `must be a whole number ${range}, got ${describe(value)}`);
  }
}

export function assertPlainObject(value: unknown, field: string): asserts value is Record<string, unknown> {
  const problem = objectProblem(value);
  if (problem !== undefined) throw new ValidationError(field, problem);
}

/** What is wrong with a value that must be an object (not null, not an array), or undefined when nothing is. */
export function objectProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `must be an object, got ${describe(value)}`;
  return undefined;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}
