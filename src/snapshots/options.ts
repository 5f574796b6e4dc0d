// The snapshot options every loader takes (loadState, handleCommand, a repository),
// checked once, with their defaults filled in.

import { ValidationError } from '../core/errors.js';
import { assertCount, assertPlainObject, describe } from '../core/validation.js';
import { MAX_SNAPSHOT_SCHEMA_VERSION } from '../store/snapshot-store.js';
import { everyNEvents, type SnapshotPolicy } from './policies.js';

/** Where a failed snapshot is reported: `console` fits, and so do most loggers. */
export interface SnapshotLogger {
  warn(message: string): void;
}

export interface SnapshotOptions {
  /**
   * The version of the state's shape. Bump it whenever the state changes shape:
   * snapshots of any other schema version are then ignored, and replaced by the next one taken.
   */
  schemaVersion: number;
  /** When to take a snapshot after a command. Default: everyNEvents(100). */
  policy?: SnapshotPolicy;
  /** Told, in one line, when a snapshot cannot be read or written. Default: console. */
  logger?: SnapshotLogger;
}

export type ResolvedSnapshotOptions = Required<SnapshotOptions>;

export const DEFAULT_SNAPSHOT_EVERY = 100;

export function readSnapshotOptions(value: unknown, field = 'snapshots'): ResolvedSnapshotOptions {
  assertPlainObject(value, field);
  const { schemaVersion, policy = everyNEvents(DEFAULT_SNAPSHOT_EVERY), logger = console } = value as Partial<SnapshotOptions>;
  assertCount(schemaVersion, `${field}.schemaVersion`, 0, MAX_SNAPSHOT_SCHEMA_VERSION);
  if (typeof policy !== 'function') {
    throw new ValidationError(`${field}.policy`, `must be a function, such as everyNEvents(100), got ${describe(policy)}`);
  }
  if (typeof (logger as Partial<SnapshotLogger> | null)?.warn !== 'function') {
    throw new ValidationError(`${field}.logger`, `must have a warn(message) function, got ${describe(logger)}`);
  }
  return { schemaVersion, policy, logger };
}

/** One line, for the logger: a snapshot problem never fails the caller. */
export function warn(logger: SnapshotLogger, message: string, error: unknown): void {
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\s*[\r\n]+\s*/g, ' ');
  try {
    logger.warn(`eventline: ${message}: ${reason}`);
  } catch {
    // A logger that throws must not fail the command either.
  }
}
