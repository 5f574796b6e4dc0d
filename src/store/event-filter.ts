// Filters on the global log: checked once here, above every store, and the one
// predicate the memory store applies (the SQL stores say the same in SQL). The
// correlation id lives inside the metadata text, which a store otherwise never reads;
// see correlationIdOf for how that stays safe for any text a codec writes.

import { ValidationError } from '../core/errors.js';
import { assertCount, assertName, describe } from '../core/validation.js';
import type { EventFilter, StoredEvent } from './storage.js';

/** Checks every filter option and returns the filter a storage receives. */
export function toEventFilter(options: EventFilter): EventFilter {
  const filter: EventFilter = {};
  if (options.types !== undefined) {
    if (!Array.isArray(options.types)) throw new ValidationError('types', 'must be an array of event types');
    options.types.forEach((type, i) => assertName(type, `types[${i}]`));
    filter.types = [...options.types];
  }
  if (options.streamPrefix !== undefined) {
    assertName(options.streamPrefix, 'streamPrefix');
    filter.streamPrefix = options.streamPrefix;
  }
  if (options.before !== undefined) {
    assertCount(options.before, 'before', 1);
    filter.before = options.before;
  }
  if (options.recordedFrom !== undefined) filter.recordedFrom = assertDate(options.recordedFrom, 'recordedFrom');
  if (options.recordedTo !== undefined) filter.recordedTo = assertDate(options.recordedTo, 'recordedTo');
  if (options.correlationId !== undefined) {
    assertName(options.correlationId, 'correlationId');
    filter.correlationId = options.correlationId;
  }
  return filter;
}

/** True when the filter lets every event through: stores keep a fast path for it. */
export function isUnfiltered(filter: EventFilter): boolean {
  return (
    filter.types === undefined &&
    filter.streamPrefix === undefined &&
    filter.before === undefined &&
    filter.recordedFrom === undefined &&
    filter.recordedTo === undefined &&
    filter.correlationId === undefined
  );
}

/** What a filter looks at in an event: its time in milliseconds, as the memory store keeps it. */
export type FilteredEvent = Pick<StoredEvent<unknown>, 'position' | 'type' | 'streamId' | 'metadata'> & { recordedAt: number };

/** Whether one stored event passes the filter (positions after `after` are the caller's test). */
export function matchesEventFilter(event: FilteredEvent, filter: EventFilter): boolean {
  if (filter.before !== undefined && event.position >= filter.before) return false;
  if (filter.types !== undefined && !filter.types.includes(event.type)) return false;
  if (filter.streamPrefix !== undefined && !event.streamId.startsWith(filter.streamPrefix)) return false;
  const at = event.recordedAt;
  if (filter.recordedFrom !== undefined && at < filter.recordedFrom.getTime()) return false;
  if (filter.recordedTo !== undefined && at >= filter.recordedTo.getTime()) return false;
  if (filter.correlationId !== undefined && !hasCorrelationId(event.metadata, filter.correlationId)) return false;
  return true;
}

/**
 * The text that must appear in the metadata of an event with this correlation id:
 * the id as a JSON string, as the codec writes it. SQL stores narrow by it cheaply
 * before the metadata is parsed.
 */
export function correlationNeedle(correlationId: string): string {
  return JSON.stringify(correlationId);
}

/**
 * Whether the metadata is a JSON object whose `correlationId` is this string: as text,
 * or as the object a copying codec kept (the memory store's default). Never throws:
 * metadata a codec wrote in another form (encrypted, not JSON) simply does not match.
 * The needle test comes first so every store decides alike.
 */
export function hasCorrelationId(metadata: unknown, correlationId: string): boolean {
  if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) {
    return (metadata as Record<string, unknown>).correlationId === correlationId;
  }
  if (typeof metadata !== 'string' || !metadata.includes(correlationNeedle(correlationId))) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  return (parsed as Record<string, unknown>).correlationId === correlationId;
}

function assertDate(value: unknown, field: string): Date {
  if (!(value instanceof Date)) throw new ValidationError(field, `must be a Date, got ${describe(value)}`);
  if (Number.isNaN(value.getTime())) throw new ValidationError(field, 'must be a valid Date, got an invalid one');
  return new Date(value.getTime());
}
