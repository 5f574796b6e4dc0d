// Option values from text to what the store takes. Each failure is a UsageError that
// names the option and quotes what was given, so the store is never opened with it.

import { readFile } from 'node:fs/promises';
import type { ExpectedVersion } from '../core/errors.js';
import { isUuid } from '../core/uuid.js';
import { UsageError } from './errors.js';

const WHOLE = /^[0-9]+$/;
const VERSION_WORDS = ['any', 'no_stream', 'stream_exists'] as const;

/** A whole number >= min, in decimal digits only (no sign, exponent or spaces). */
export function wholeNumber(text: string, option: string, min: number): number {
  const value = Number(text);
  if (!WHOLE.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`--${option} must be a whole number >= ${min} (got ${quote(text)})`);
  }
  return value;
}

export function expectedVersion(text: string): ExpectedVersion {
  const word = VERSION_WORDS.find((w) => w === text);
  if (word !== undefined) return word;
  const value = Number(text);
  if (WHOLE.test(text) && Number.isSafeInteger(value)) return value;
  throw new UsageError(
    `--expected-version must be a whole number or ${VERSION_WORDS.join(', ')} (got ${quote(text)})`,
  );
}

export function eventId(text: string): string {
  if (!isUuid(text)) throw new UsageError(`--event-id must be a UUID (got ${quote(text)})`);
  return text;
}

/**
 * JSON given inline, or read from a file with `@path`, or from standard input with
 * `@-`. No JSON text starts with `@`, so the two never clash. Files are how an event
 * larger than one command-line argument (128 KiB on Linux) gets in.
 */
export async function jsonValue(text: string, option: string, readStdin: () => Promise<string>): Promise<unknown> {
  let source = text;
  if (text.startsWith('@')) {
    const path = text.slice(1);
    try {
      source = path === '-' ? await readStdin() : await readFile(path, 'utf8');
    } catch (error) {
      const reason = (error as { code?: string }).code ?? (error as Error).message;
      throw new UsageError(`--${option}: cannot read ${path === '-' ? 'standard input' : quote(path)} (${reason})`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(source) as unknown;
  } catch (error) {
    throw new UsageError(`--${option} is not valid JSON: ${(error as Error).message} (got ${quote(source)})`);
  }
  const inexact = inexactInteger(source);
  if (inexact !== undefined) {
    throw new UsageError(
      `--${option}: no JavaScript number holds ${inexact} exactly, and it would be stored as ${Number(inexact)}; write it as a string`,
    );
  }
  return value;
}

/**
 * The first integer in valid JSON text that no JavaScript number holds exactly (most
 * beyond 2^53), which JSON.parse rounds without a word. Each string literal is matched whole, so only numbers outside strings are seen.
 */
function inexactInteger(json: string): string | undefined {
  for (const [token] of json.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    if (token.startsWith('"') || /[.eE]/.test(token)) continue;
    const value = Number(token);
    // Past about 1.8e308 the number is Infinity, which BigInt cannot take (nor JSON hold).
    if (!Number.isFinite(value) || BigInt(value) !== BigInt(token)) return token;
  }
  return undefined;
}

/** A JSON object (metadata is one, never an array or a scalar). */
export async function jsonObject(
  text: string,
  option: string,
  readStdin: () => Promise<string>,
): Promise<Record<string, unknown>> {
  const value = await jsonValue(text, option, readStdin);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new UsageError(`--${option} must be a JSON object (got ${kind})`);
  }
  return value as Record<string, unknown>;
}

/** The value as JSON, cut short: enough to recognise, never a wall of text. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text);
}
