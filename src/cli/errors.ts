// The one place that turns a failure into what the shell sees: an exit code, a stable
// error code and a one-line message. Scripts branch on the exit code; everything the
// store throws on purpose is an EventlineError, so the mapping goes by class.

import {
  BackupInvalidError,
  ConcurrencyError,
  CopyMismatchError,
  CopyRefusedError,
  DomainError,
  DuplicateEventError,
  EventlineError,
  EventTooLargeError,
  KeyEncryptionKeyError,
  MaintenanceBusyError,
  PruneRefusedError,
  RestoreConflictError,
  StoreOpenError,
  ValidationError,
} from '../core/errors.js';
import { redactPasswords } from '../core/redact.js';

export const EXIT_OK = 0;
/** Anything unexpected: a bug, a lost connection, a busy database. */
export const EXIT_FAILED = 1;
/** Bad input: usage, arguments, a store URL, a key-encryption key, or an event the store refuses to accept. */
export const EXIT_BAD_INPUT = 2;
/** The write was refused: a version conflict or a duplicate event id. Nothing was written. */
export const EXIT_REFUSED = 3;

/** A command line that names no command, option or value the CLI understands. */
export class UsageError extends EventlineError {
  readonly code = 'USAGE';
}

/** Whoever read our output went away (`eventline read-all | head`): stop quietly. */
export class OutputClosedError extends EventlineError {
  readonly code = 'OUTPUT_CLOSED';

  constructor(options?: ErrorOptions) {
    super('the output was closed', options);
  }
}

export interface Failure {
  exitCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  /** Nothing to report (the reader of our output left). */
  quiet?: boolean;
}

export function describeFailure(error: unknown): Failure {
  const message = oneLine(redactPasswords(error instanceof Error ? error.message : String(error)));
  if (error instanceof OutputClosedError) return { exitCode: EXIT_OK, code: error.code, message, quiet: true };
  if (error instanceof UsageError) return { exitCode: EXIT_BAD_INPUT, code: error.code, message };
  if (error instanceof ConcurrencyError) {
    const { streamId, expected, actual } = error;
    return { exitCode: EXIT_REFUSED, code: error.code, message, details: { streamId, expected, actual } };
  }
  // A prune that would strand a consumer or lose what a stream carried, a restore onto a taken place: refused, nothing written.
  if (error instanceof PruneRefusedError || error instanceof RestoreConflictError) return { exitCode: EXIT_REFUSED, code: error.code, message };
  // Another maintenance task holds the store: refused, nothing written.
  if (error instanceof MaintenanceBusyError) return { exitCode: EXIT_REFUSED, code: error.code, message };
  // A backup that is missing, altered or of another kind of store: nothing was restored.
  if (error instanceof BackupInvalidError) return { exitCode: EXIT_BAD_INPUT, code: error.code, message };
  // A copy onto its source, or into a store holding other events: refused, nothing written.
  if (error instanceof CopyRefusedError) return { exitCode: EXIT_REFUSED, code: error.code, message, details: { reason: error.reason } };
  if (error instanceof CopyMismatchError) {
    return { exitCode: EXIT_FAILED, code: error.code, message, details: { streamId: error.streamId, mismatches: error.mismatches } };
  }
  if (error instanceof DuplicateEventError) {
    return { exitCode: EXIT_REFUSED, code: error.code, message, details: { eventId: error.eventId } };
  }
  if (error instanceof EventTooLargeError) {
    const { field, bytes, limit } = error;
    return { exitCode: EXIT_BAD_INPUT, code: error.code, message, details: { field, bytes, limit } };
  }
  if (error instanceof ValidationError) {
    const { field, reason } = error;
    return { exitCode: EXIT_BAD_INPUT, code: error.code, message, details: { field, reason } };
  }
  // Asked of something that is not there or not in that state (an instance that does not exist, or is not parked).
  if (error instanceof DomainError) return { exitCode: EXIT_BAD_INPUT, code: error.code, message };
  // The URL is in the message already, with any password masked; details would repeat it unmasked.
  if (error instanceof StoreOpenError) return { exitCode: EXIT_BAD_INPUT, code: error.code, message };
  // A key-encryption key missing, malformed or not the one the key storage is sealed with: the message names it by its id only.
  if (error instanceof KeyEncryptionKeyError) return { exitCode: EXIT_BAD_INPUT, code: error.code, message };
  if (error instanceof EventlineError) return { exitCode: EXIT_FAILED, code: error.code, message };
  return { exitCode: EXIT_FAILED, code: 'UNEXPECTED', message };
}

/** The stack and every cause, for EVENTLINE_DEBUG. */
export function debugTrace(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    parts.push(redactPasswords(current instanceof Error ? (current.stack ?? current.message) : String(current)));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\ncaused by: ');
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
