// Every error Eventline throws on purpose is an EventlineError with a stable `code`,
// so callers (and the CLI and HTTP layers) can branch on it without parsing messages.

import { redactPasswords } from './redact.js';

/**
 * Marks every EventlineError, in a registry every copy of Eventline shares: two copies
 * of the package in one process (or a vm context) each have their own classes, so
 * `instanceof` fails across them, while this mark does not.
 */
const MARK = Symbol.for('eventline.error');

export abstract class EventlineError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
Object.defineProperty(EventlineError.prototype, MARK, { value: true });

/**
 * Whether `error` is an EventlineError, also when it comes from another copy of
 * Eventline (another version of the package, or another realm): those are recognised by
 * a mark kept under `Symbol.for('eventline.error')` and a string `code`. An object that
 * merely has an Eventline-like name or code (many errors have a `code`) is not one.
 *
 * @example
 * catch (error) { if (isEventlineError(error) && error.code === 'CONCURRENCY_CONFLICT') retry(); }
 */
export function isEventlineError(error: unknown): error is EventlineError {
  if (error instanceof EventlineError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const marked = error as { [MARK]?: unknown; code?: unknown };
  return marked[MARK] === true && typeof marked.code === 'string';
}

/** Input that breaks the contract: a bad stream id, type, payload, option or version. */
export class ValidationError extends EventlineError {
  readonly code: string = 'VALIDATION_FAILED';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** An event whose encoded form exceeds the store's size limit. */
export class EventTooLargeError extends ValidationError {
  override readonly code = 'EVENT_TOO_LARGE';

  constructor(
    field: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(field, `event is ${bytes} bytes, over the limit of ${limit} bytes`);
  }
}

export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number;

/** The stream was not at the version the append expected. Nothing was written. */
export class ConcurrencyError extends EventlineError {
  readonly code = 'CONCURRENCY_CONFLICT';

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
    options?: ErrorOptions,
  ) {
    super(`stream '${streamId}' expected version ${String(expected)} but is at ${actual}`, options);
  }
}

/** An eventId that is already stored somewhere other than this exact place. Nothing was written. */
export class DuplicateEventError extends EventlineError {
  readonly code = 'DUPLICATE_EVENT';

  constructor(
    readonly eventId: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`eventId ${eventId} ${detail}`, options);
  }
}

/**
 * Why a store did not open: `missing` when it was opened with `create: false` and there
 * is no store there (nothing was made); `failed` for anything else (a bad URL, a driver
 * or connection error, a schema newer than this Eventline).
 */
export type StoreOpenReason = 'missing' | 'failed';

/** A store URL that names no store Eventline has, or a store that cannot be opened. */
export class StoreOpenError extends EventlineError {
  readonly code = 'STORE_OPEN_FAILED';
  /** The URL, with any password masked. */
  readonly url: string;
  readonly reason: StoreOpenReason;

  constructor(url: string, message: string, options: ErrorOptions & { reason?: StoreOpenReason } = {}) {
    const shown = redactPasswords(url);
    super(`cannot open store '${shown}': ${redactPasswords(message)}`, options);
    this.url = shown;
    this.reason = options.reason ?? 'failed';
  }
}

/** The StoreOpenError of a store opened with `create: false` where there is none. */
export function storeMissing(url: string): StoreOpenError {
  return new StoreOpenError(url, 'there is no store there (opened with create: false, none is made)', { reason: 'missing' });
}

/** The store was used after close(). */
export class StoreClosedError extends EventlineError {
  readonly code = 'STORE_CLOSED';

  constructor() {
    super('the event store is closed');
  }
}

/** A business rule refused a command (publishing twice, editing a missing post, ...). */
export class DomainError extends EventlineError {
  readonly code: string = 'DOMAIN_RULE_VIOLATED';
}

/** A command aimed at something that does not exist. */
export class NotFoundError extends DomainError {
  override readonly code = 'NOT_FOUND';
}

/** The database stayed locked by another writer for longer than the store waits. */
export class StoreBusyError extends EventlineError {
  readonly code = 'STORE_BUSY';

  constructor(waitedMs: number, options?: ErrorOptions) {
    super(`the database stayed locked by another writer for ${waitedMs} ms`, options);
  }
}

/** A projection did not reach the position waited for in time. */
export class ProjectionTimeoutError extends EventlineError {
  readonly code = 'PROJECTION_TIMEOUT';
}

/** A projection is being rebuilt by another, or this rebuild was taken over. */
export class ProjectionBusyError extends EventlineError {
  readonly code = 'PROJECTION_BUSY';
}

/**
 * A projection stopped in state `failed`: its handler threw at the event at `position`
 * on every retry. It stays there until an operator retries or skips that event.
 * `cause` is the handler's error when this process ran the projection; another
 * process's failure is known only by the text its checkpoint recorded, in `reason`.
 */
export class ProjectionFailedError extends EventlineError {
  readonly code = 'PROJECTION_FAILED';

  constructor(
    readonly projection: string,
    readonly position: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`projection ${projection} failed at position ${position}: ${reason}`, options);
  }
}

/**
 * Why a sealed personal field did not open: `malformed` (not an envelope, or bytes of the
 * wrong length), `version` (an envelope version this Eventline does not know), `key` (no
 * usable 32-byte key), `authentication` (the wrong key, or a nonce, tag, ciphertext, key
 * id, event id or path that is not the one it was sealed with).
 */
export type EnvelopeFailure = 'malformed' | 'version' | 'key' | 'authentication';

/**
 * A sealed personal field that cannot be opened. The message names the field's path and
 * the event, never its value, its ciphertext or a key.
 */
export class EnvelopeError extends EventlineError {
  readonly code = 'ENVELOPE_INVALID';

  constructor(
    readonly reason: EnvelopeFailure,
    readonly eventId: string,
    readonly path: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`the personal field '${path}' of event ${eventId} cannot be opened: ${detail}`, options);
  }
}

/**
 * What is wrong with a key-encryption key: `missing` (none is given and none can be
 * made), `malformed` (not 32 bytes, or a wrapped key not in its form), `wrong` (not the
 * key the key storage was sealed with), `exposed` (a key file others may read).
 */
export type KeyEncryptionKeyProblem = 'missing' | 'malformed' | 'wrong' | 'exposed';

/**
 * The key-encryption key that seals the data keys of personal data is missing, malformed,
 * wrong or exposed. Raised when a keyring opens, so nothing is ever written in the clear
 * for lack of a key. The message names a key only by its id (a hash), never its bytes.
 */
export class KeyEncryptionKeyError extends EventlineError {
  readonly code = 'KEK_INVALID';

  constructor(
    readonly reason: KeyEncryptionKeyProblem,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Personal data was about to be written for a subject (or a category of it) that has
 * been forgotten. Nothing was written. The subject is named by its keyed hash only.
 */
export class SubjectErasedError extends EventlineError {
  readonly code = 'SUBJECT_ERASED';

  constructor(
    readonly subjectHash: string,
    readonly category: string,
  ) {
    super(`subject ${subjectHash} is erased (category ${category}): its personal data is not written again`);
  }
}

/**
 * An ErasureReceipt event that is malformed or whose MAC does not verify. It names the
 * event's position in the log, never what the event holds.
 */
export class ErasureReceiptError extends EventlineError {
  readonly code = 'ERASURE_RECEIPT_INVALID';

  constructor(
    readonly position: number,
    readonly reason: 'malformed' | 'mac',
  ) {
    super(
      reason === 'mac'
        ? `the erasure receipt at position ${position} does not verify under this key storage's receipt key: it was altered or forged`
        : `the erasure receipt at position ${position} is not in the form this Eventline writes`,
    );
  }
}

/** Why a sealed snapshot cannot be opened although its keys exist. */
export type SealedSnapshotFailure = 'malformed' | 'version' | 'authentication';

/**
 * A sealed snapshot that does not open although every key it names exists: altered (or
 * copied from another stream or version). Not an erasure: a snapshot whose key is gone
 * reads as absent. The message names the stream and version, never the state or a key.
 * `store.snapshots.load` rejects with it; the loaders (loadState, handleCommand, a
 * repository) log it in one line and fold the stream, as for any unreadable snapshot.
 */
export class SealedSnapshotError extends EventlineError {
  readonly code = 'SNAPSHOT_SEAL_INVALID';

  constructor(
    readonly reason: SealedSnapshotFailure,
    readonly streamId: string,
    readonly version: number,
    detail: string,
  ) {
    super(`the sealed snapshot of stream '${streamId}' at version ${version} cannot be opened: ${detail}`);
  }
}

/**
 * A declaration of event schemas (defineEventSchemas) that cannot be used: a version that
 * is not a whole number from 1, a gap in a chain of upcasters, an upcaster that is not a
 * function, a rename claimed twice. Refused when it is made, so nothing is ever written
 * or read with it. `field` names the place, as `schemas.PostWasCreated.upcast.2`.
 */
export class SchemaDeclarationError extends ValidationError {
  override readonly code = 'SCHEMA_DECLARATION_INVALID';
}

/**
 * An event stored at a schema version this code does not know: newer than the current
 * version of its type (written by a newer release), or not a whole number from 1. The
 * message names the type and the versions, never the data.
 */
export class SchemaVersionError extends EventlineError {
  readonly code = 'SCHEMA_VERSION_UNKNOWN';

  constructor(
    readonly type: string,
    /** The version as stored: a number, or undefined when it is not one. */
    readonly version: number | undefined,
    readonly currentVersion: number,
    /** The event's position in the log, when the read knows it. */
    readonly position?: number,
  ) {
    super(
      (version === undefined
        ? `an event of type '${type}' carries a schema version that is not a whole number from 1`
        : `an event of type '${type}' is stored at schema version ${version}, newer than the current version ${currentVersion} this code knows`) + atPosition(position),
    );
  }
}

const atPosition = (position: number | undefined) => (position === undefined ? '' : ` (position ${position})`);

/** Why an upcaster failed: it threw, or it answered something other than an object (a promise, an array, null). */
export type UpcastFailure = 'threw' | 'not-an-object';

/**
 * An upcaster failed on a stored event: it threw (its error is the `cause`) or answered
 * something that is not a plain object. The message names the type and the version
 * upcast from, never the data.
 */
export class UpcastError extends EventlineError {
  readonly code = 'UPCAST_FAILED';

  constructor(
    readonly type: string,
    readonly fromVersion: number,
    readonly reason: UpcastFailure,
    detail: string,
    options: ErrorOptions & { position?: number | undefined } = {},
  ) {
    super(`the upcaster of '${type}' from version ${fromVersion} ${detail}${atPosition(options.position)}`, options);
    this.position = options.position;
  }

  /** The event's position in the log, when the read knows it. */
  readonly position: number | undefined;
}
/** A retention policy that cannot be applied as declared; `policy` names it, `field` the option. */
export class RetentionPolicyError extends ValidationError {
  override readonly code = 'RETENTION_POLICY_INVALID';

  constructor(
    readonly policy: string,
    field: string,
    reason: string,
  ) {
    super(field, `retention policy '${policy}': ${reason}`);
  }
}

/** Why a prune was refused. */
export type PruneRefusal = 'stranded-consumers' | 'compaction-required' | 'personal-data' | 'busy';

/**
 * A prune that would lose what nobody kept: events a registered consumer has not yet
 * processed (`consumers` names them), or the prefix of a stream that keeps events with
 * no fold to compact it (`streams`); a compaction of a stream of sealed personal data,
 * whose state would hold it in the clear (`personal-data`, `streams`); or one whose
 * archive folder another prune is using (`busy`). Nothing was written.
 */
export class PruneRefusedError extends EventlineError {
  readonly code = 'PRUNE_REFUSED';

  constructor(
    readonly reason: PruneRefusal,
    readonly consumers: readonly string[],
    readonly streams: readonly string[],
    detail: string,
  ) {
    super(`prune refused: ${detail}`);
  }
}

/** A restored event whose place is taken (by another event, or by one never pruned). Nothing was written. */
export class RestoreConflictError extends EventlineError {
  readonly code = 'RESTORE_CONFLICT';

  constructor(
    readonly position: number,
    readonly streamId: string,
    readonly version: number,
    detail: string,
  ) {
    super(`cannot restore the event at position ${position} (stream '${streamId}', version ${version}): ${detail}`);
  }
}

/** Why an archive does not verify. */
export type ArchiveFailure = 'missing' | 'malformed' | 'file-hash' | 'event-hash' | 'manifest';

/** An archive whose file, manifest or events do not match what was written. `line` is 0 for the file as a whole. */
export class ArchiveInvalidError extends EventlineError {
  readonly code = 'ARCHIVE_INVALID';

  constructor(
    readonly reason: ArchiveFailure,
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`archive ${file}${line > 0 ? ` line ${line}` : ''}: ${detail}`);
  }
}

/**
 * A rebuild from position 0 of a projection that does not take StreamCompacted events,
 * on a store where a prune compacted streams: it would lose the rows of every compacted stream
 * without a word. List StreamCompacted in its event types (and build its rows from the
 * state it carries), or rebuild with `acceptPrunedHistory: true`. Nothing was changed.
 */
export class PrunedHistoryError extends EventlineError {
  readonly code = 'PRUNED_HISTORY';

  constructor(readonly projection: string) {
    super(
      `projection ${projection} cannot be rebuilt from position 0: a prune compacted streams of this store, and it does not take StreamCompacted events ` +
        '(add StreamCompacted to its event types, or rebuild with acceptPrunedHistory)',
    );
  }
}

/** Which consumer a checkpoint belongs to. */
export type CheckpointConsumerKind = 'projection' | 'workflow' | 'outbox relay';

/** Why a checkpoint does not fit its store: made under another epoch, or past the store's head. */
export type CheckpointMismatch = 'epoch' | 'ahead';

/**
 * A consumer's checkpoint that does not belong to the store it reads: saved under another
 * epoch (the store was restored from a backup or copied since), or past the store's head
 * (the log it counted is gone). The consumer stops instead of skipping or repeating
 * events without a word; `eventline recover` says what can be done. Nothing was written.
 */
export class CheckpointMismatchError extends EventlineError {
  readonly code = 'CHECKPOINT_MISMATCH';

  constructor(
    readonly kind: CheckpointConsumerKind,
    readonly consumer: string,
    readonly reason: CheckpointMismatch,
    readonly checkpoint: { epoch: string; position: number },
    readonly store: { epoch: string; head: number },
  ) {
    super(
      `${kind} ${consumer} stopped: its checkpoint (position ${checkpoint.position}, epoch ${checkpoint.epoch}) ` +
        (reason === 'epoch'
          ? `belongs to another epoch than the store's (${store.epoch}, head ${store.head})`
          : `lies beyond the store's head ${store.head} (epoch ${store.epoch})`) +
        `; see eventline recover`,
    );
  }
}

/**
 * A maintenance task (prune, archive restore, backup) on a store another one is running
 * on: they exclude each other. `holder` says what holds the lock (its task and process),
 * as far as the store knows. Nothing was written.
 */
export class MaintenanceBusyError extends EventlineError {
  readonly code = 'MAINTENANCE_BUSY';

  constructor(
    readonly task: string,
    readonly holder: string,
  ) {
    super(`${task} refused: the store's maintenance lock is held by ${holder}`);
  }
}

/** Why a backup cannot be restored. */
export type BackupFailure = 'missing' | 'malformed' | 'sha256' | 'kind';

/** A backup whose file or manifest is missing, malformed or does not match (its SHA-256). Nothing was written. */
export class BackupInvalidError extends EventlineError {
  readonly code = 'BACKUP_INVALID';

  constructor(
    readonly reason: BackupFailure,
    readonly file: string,
    detail: string,
  ) {
    super(`backup ${file}: ${detail}`);
  }
}

/** Why a copy of one store into another was refused (nothing of it was written). */
export type CopyRefusal = 'same-store' | 'foreign-target' | 'other-source' | 'conflict';

/**
 * A copy (copyStore, `eventline copy`) refused: onto its own source, into a target that
 * holds events this copy did not write, into a target a copy from another store filled,
 * or an event whose id or place the target gives to another event. `reason` says which.
 */
export class CopyRefusedError extends EventlineError {
  readonly code = 'COPY_REFUSED';

  constructor(
    readonly reason: CopyRefusal,
    detail: string,
  ) {
    super(`copy refused: ${detail}`);
  }
}

/**
 * The verification of a copy found a stream that differs between the source and the
 * target: a different count of events, or a different hash chain over their ids, types
 * and stored data and metadata. `streamId` names the first one; `mismatches` counts them.
 */
export class CopyMismatchError extends EventlineError {
  readonly code = 'COPY_MISMATCH';

  constructor(
    readonly streamId: string,
    readonly detail: string,
    readonly mismatches: number,
  ) {
    super(`copy does not verify: stream '${streamId}' ${detail}${mismatches > 1 ? ` (and ${mismatches - 1} more streams)` : ''}`);
  }
}
