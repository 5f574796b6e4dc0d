// JSON carries only null, booleans, finite numbers, strings, arrays and plain objects.
// Anything else would come back changed (a Date as a string, NaN as null, an undefined
// property gone), so it is refused up front, naming the path to the offending value.

import { ValidationError } from './errors.js';

export function assertJsonFaithful(value: unknown, path: string): void {
  // Most values are fine: a walk that builds no paths says so, and only a refused value
  // pays for the walk that finds what and where.
  if (jsonSizeBound(value, 0) < 0) assertJsonFaithfulFully(value, path);
}

/**
 * The full walk alone, which names the path to what JSON cannot carry and finds cycles:
 * for a value that jsonBytesBound has already failed to vouch for.
 */
export function assertJsonFaithfulFully(value: unknown, path: string): void {
  visit(value, path, new Set());
}

/**
 * A number of bytes at least that of the value's UTF-8 JSON text, found without writing
 * the text: enough to tell that most values are far within a limit. Undefined when the
 * value is not plain JSON or nests too deep to tell quickly (then assertJsonFaithful
 * decides, and jsonBytes counts).
 */
export function jsonBytesBound(value: unknown): number | undefined {
  const bound = jsonSizeBound(value, 0);
  return bound < 0 ? undefined : bound;
}

/** The bytes of a JSON value's UTF-8 text. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

// Deeper than this, the quick walk gives up and the full one decides (it finds cycles).
const QUICK_DEPTH = 64;
// The longest JSON number: -1.7976931348623157e+308.
const MAX_NUMBER_BYTES = 24;
// A UTF-16 unit takes at most 6 bytes of JSON text: \u001f, or a lone surrogate's
// \udfff. (A well-formed pair takes 4 bytes for its two units.)
const MAX_BYTES_PER_UNIT = 6;

/**
 * The quick walk: -1 when the value is not plain JSON or nests deeper than QUICK_DEPTH,
 * else a bound on the bytes of its JSON text.
 */
function jsonSizeBound(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
      return 2 + MAX_BYTES_PER_UNIT * value.length;
    case 'boolean':
      return 5;
    case 'number':
      return Number.isFinite(value) ? MAX_NUMBER_BYTES : -1;
    case 'object': {
      if (value === null) return 4;
      if (depth === QUICK_DEPTH) return -1;
      // Brackets, and a comma or colon for each entry.
      let bytes = 2;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item = i in value ? jsonSizeBound(value[i], depth + 1) : -1;
          if (item < 0) return -1;
          bytes += item + 1;
        }
        return bytes;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return -1;
      for (const key in value) {
        const item = jsonSizeBound((value as Record<string, unknown>)[key], depth + 1);
        if (item < 0) return -1;
        bytes += 4 + MAX_BYTES_PER_UNIT * key.length + item;
      }
      return bytes;
    }
    default:
      return -1;
  }
}

/**
 * A copy of a plain JSON value, equal to what JSON.parse(JSON.stringify(value)) gives:
 * -0 becomes 0, every object gets Object.prototype, and a `__proto__` key stays an own
 * property. Strings are shared, not copied: they cannot change.
 */
export function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value === 0 ? 0 : value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) items.push(copyJson(value[i]));
    return items;
  }
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = copyJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
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
