// The checks every store's URL grammar shares: a store URL names each parameter once,
// and only parameters its store knows (a misspelled one would quietly do nothing).

import { StoreOpenError, ValidationError } from '../core/errors.js';

/** `rest` split at its first `?`: the path before it, the parameters after it. */
export function splitParams(rest: string): { path: string; params: URLSearchParams } {
  const at = rest.indexOf('?');
  if (at === -1) return { path: rest, params: new URLSearchParams() };
  return { path: rest.slice(0, at), params: new URLSearchParams(rest.slice(at + 1)) };
}

/** Removes parameter `name` and gives its value (in lower case), which must be one of `allowed`. */
export function takeOneOf<const T extends readonly string[]>(params: URLSearchParams, name: string, allowed: T): T[number] | undefined {
  const value = params.get(name);
  params.delete(name);
  if (value === null) return undefined;
  const lower = value.toLowerCase();
  if (!allowed.includes(lower)) {
    throw new ValidationError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return lower as T[number];
}

/** A parameter given twice would quietly take its first value. */
export function rejectRepeated(url: string, params: URLSearchParams): void {
  const names = [...params.keys()];
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new StoreOpenError(url, `parameter ${repeated} is given more than once`);
}

/** Refuses any parameter not in `known`, saying what the URL `takes` where given. */
export function rejectUnknown(url: string, params: URLSearchParams, known: ReadonlySet<string> = new Set(), takes?: string): void {
  const unknown = [...params.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) throw new StoreOpenError(url, `unknown parameter ${unknown.join(', ')}${takes === undefined ? '' : `; ${takes}`}`);
}
