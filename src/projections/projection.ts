// A projection turns events into rows of read-model tables. It names the tables and
// indexes it owns, so Eventline can build a fresh copy beside the live one and swap
// them, and a version: a new version means the read model is rebuilt.

import { ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { assertCount, assertName } from '../core/validation.js';
import type { ReadModelDb } from '../store/read-models.js';

export interface Projection {
  /** Letters, digits and _; also the checkpoint's key. */
  readonly name: string;
  /** Starts at 1; raising it rebuilds the read model from the first event. */
  readonly version: number;
  /** The event types the handler receives. */
  readonly eventTypes: readonly string[];
  /** Logical names of the tables it owns: `{posts}` in its SQL. */
  readonly tables: readonly string[];
  /** Logical names of its indexes: `{posts_by_author}` in its SQL. */
  readonly indexes: readonly string[];
  /** Creates its tables and indexes (portable SQL, `IF NOT EXISTS`). */
  setup(db: ReadModelDb): Promise<void>;
  /** Applies one event to the tables, in the same transaction as the checkpoint. */
  handle(event: RecordedEvent, db: ReadModelDb): Promise<void>;
}

export interface ProjectionDefinition {
  name: string;
  version?: number;
  eventTypes: readonly string[];
  tables: readonly string[];
  indexes?: readonly string[];
  /** SQL run with `exec`, or a function for anything more. */
  setup: string | ((db: ReadModelDb) => Promise<void>);
  handle(event: RecordedEvent, db: ReadModelDb): Promise<void> | void;
}

const NAME = /^[a-z_][a-z0-9_]{0,40}$/;

/**
 * @example
 * const posts = defineProjection({
 *   name: 'posts', eventTypes: ['PostWasCreated'], tables: ['posts'],
 *   setup: 'CREATE TABLE IF NOT EXISTS {posts} (id TEXT PRIMARY KEY, title TEXT NOT NULL)',
 *   handle: (event, db) => db.run('INSERT INTO {posts} (id, title) VALUES ($1, $2)', [event.data.postId, event.data.title]),
 * });
 */
export function defineProjection(definition: ProjectionDefinition): Projection {
  const { name, version = 1, eventTypes, tables, indexes = [], setup, handle } = definition;
  assertIdentifier(name, 'name');
  assertCount(version, 'version', 1);
  if (!Array.isArray(eventTypes) || eventTypes.length === 0) throw new ValidationError('eventTypes', 'must list at least one event type');
  eventTypes.forEach((type, i) => assertName(type, `eventTypes[${i}]`));
  if (!Array.isArray(tables) || tables.length === 0) throw new ValidationError('tables', 'must list at least one table');
  [...tables, ...indexes].forEach((table, i) => assertIdentifier(table, i < tables.length ? `tables[${i}]` : `indexes[${i - tables.length}]`));
  if (typeof handle !== 'function') throw new ValidationError('handle', 'must be a function');
  if (typeof setup !== 'string' && typeof setup !== 'function') throw new ValidationError('setup', 'must be SQL text or a function');
  return {
    name,
    version,
    eventTypes: [...eventTypes],
    tables: [...tables],
    indexes: [...indexes],
    setup: typeof setup === 'string' ? (db) => db.exec(setup) : setup,
    handle: async (event, db) => handle(event, db),
  };
}

function assertIdentifier(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new ValidationError(field, 'must be lower-case letters, digits and _, starting with a letter or _, at most 41 characters');
  }
}
