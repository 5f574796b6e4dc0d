// JSON carries only null, booleans, finite numbers, strings, arrays and plain objects.
// Anything else would come back changed (a Date as a string, NaN as null, an undefined
// property gone), so it is refused up front, naming the path to the offending value.

import { ValidationError } from './errors.js';

export function assertJsonFaithful(value: unknown, path: string): void {
  // Most values are fine: a walk that builds no paths says so, and only a refused value
  // pays for the walk that finds what and where.
  if (!isPlainJson(value, 0)) visit(value, path, new Set());
}

// Deeper than this, the quick walk gives up and the full one decides (it finds cycles).
const QUICK_DEPTH = 64;

function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth === QUICK_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function visit(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(path, `${value} is not a JSON number`);
      return;
    case 'object':
      if (value === null) return;
      visitObject(value, path, ancestors);
      return;
    case 'undefined':
      throw new ValidationError(path, 'undefined is not JSON; omit the property or use null');
    case 'bigint':
      throw new ValidationError(path, 'a BigInt is not JSON; store it as a string');
    default:
      throw new ValidationError(path, `a ${typeof value} is not JSON`);
  }
}

function visitObject(value: object, path: string, ancestors: Set<object>): void {
  if (ancestors.has(value)) throw new ValidationError(path, 'a cycle cannot be written as JSON');
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new ValidationError(`${path}[${i}]`, 'a hole in an array is not JSON');
      visit(value[i], `${path}[${i}]`, ancestors);
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      const hint = value instanceof Date ? '; store date.toISOString()' : '';
      throw new ValidationError(path, `a ${kind} is not a plain JSON object${hint}`);
    }
    for (const key in value) {
      visit((value as Record<string, unknown>)[key], `${path}.${key}`, ancestors);
    }
  }
  ancestors.delete(value);
}
