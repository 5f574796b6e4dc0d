// Every error Eventline throws on purpose is an EventlineError with a stable `code`,
// so callers (and the CLI and HTTP layers) can branch on it without parsing messages.

import { redactPasswords } from './redact.js';

export abstract class EventlineError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
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
  ) {
    super(`stream '${streamId}' expected version ${String(expected)} but is at ${actual}`);
  }
}

/** An eventId that is already stored somewhere other than this exact place. Nothing was written. */
export class DuplicateEventError extends EventlineError {
  readonly code = 'DUPLICATE_EVENT';

  constructor(
    readonly eventId: string,
    detail: string,
  ) {
    super(`eventId ${eventId} ${detail}`);
  }
}

/** A store URL that names no store Eventline has, or a store that cannot be opened. */
export class StoreOpenError extends EventlineError {
  readonly code = 'STORE_OPEN_FAILED';
  /** The URL, with any password masked. */
  readonly url: string;

  constructor(url: string, message: string, options?: { cause?: unknown }) {
    const shown = redactPasswords(url);
    super(`cannot open store '${shown}': ${redactPasswords(message)}`, options);
    this.url = shown;
  }
}

/** StoreOpenError's reason when a store opened with `create: false` does not exist. */
export const NO_STORE_THERE = 'there is no store there (opened with create: false, none is made)';

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

  constructor(waitedMs: number, options?: { cause?: unknown }) {
    super(`the database stayed locked by another writer for ${waitedMs} ms`, options);
  }
}
