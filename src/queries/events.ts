// Questions asked of the events themselves, not of a read model: what happened in
// this stream, of this type, in this category, between these positions or times, as
// part of this correlation. Each is one pass over the log (or one stream) with the
// store's own filters, so nothing has to be projected first; a question asked often
// deserves a read model instead.

import { ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { assertCount, assertName } from '../core/validation.js';
import { toEventFilter } from '../store/event-filter.js';
import type { EventStore, ReadAllOptions } from '../store/event-store.js';
import type { EventFilter } from '../store/storage.js';

export interface EventQuery {
  /** The events of this one stream, read through its own index. */
  streamId?: string;
  /** The streams of one category: `post` means `post-1`, `post-hello`, … (the id up to its first `-`). */
  category?: string;
  types?: readonly string[];
  /** Positions greater than this. Default 0. */
  after?: number;
  /** Positions less than this. */
  before?: number;
  /** Recorded at or after this time. */
  recordedFrom?: Date;
  /** Recorded before this time. */
  recordedTo?: Date;
  /** Metadata whose `correlationId` is this string. */
  correlationId?: string;
  /** At most this many events. Default: all of them. */
  limit?: number;
}

const PAGE = 500;

/**
 * The events that answer `query`, oldest first, read a page at a time.
 *
 * @example
 * for await (const event of queryEvents(store, { category: 'post', types: ['PostWasPublished'] })) { … }
 */
export function queryEvents(store: EventStore, query: EventQuery = {}): AsyncIterable<RecordedEvent> {
  const { streamId, category, after = 0, limit = Number.MAX_SAFE_INTEGER, ...rest } = query;
  assertCount(after, 'after', 0);
  assertCount(limit, 'limit', 1);
  const filter = toEventFilter(rest);
  if (category !== undefined) {
    if (streamId !== undefined) throw new ValidationError('category', 'cannot be combined with streamId: a stream is in one category already');
    filter.streamPrefix = categoryPrefix(category);
  }
  if (streamId !== undefined) assertName(streamId, 'streamId');
  const events = streamId === undefined ? fromLog(store, after, filter, limit) : fromStream(store, streamId, after, filter);
  return take(events, limit);
}

/** The same, gathered into an array: for answers known to be small, or with a `limit`. */
export async function findEvents(store: EventStore, query: EventQuery = {}): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of queryEvents(store, query)) events.push(event);
  return events;
}

/** `post-hello` → `post`: the stream id up to its first `-` (the whole id when it has none). */
export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}

function categoryPrefix(category: unknown): string {
  assertName(category, 'category');
  if (category.includes('-')) throw new ValidationError('category', 'must not contain "-": a category is the stream id up to its first "-"');
  return `${category}-`;
}

function fromLog(store: EventStore, after: number, filter: EventFilter, limit: number): AsyncIterable<RecordedEvent> {
  const options: ReadAllOptions = { ...filter, after, batchSize: Math.min(limit, PAGE) };
  return store.readAll(options);
}

/** One stream, through its index, with the other filters applied here as the log applies them. */
async function* fromStream(store: EventStore, streamId: string, after: number, filter: EventFilter): AsyncIterable<RecordedEvent> {
  for (let fromVersion = 1; ; fromVersion += PAGE) {
    const page = await store.readStream(streamId, { fromVersion, maxCount: PAGE });
    for (const event of page) {
      if (filter.before !== undefined && event.position >= filter.before) return;
      if (event.position > after && matches(event, filter)) yield event;
    }
    if (page.length < PAGE) return;
  }
}

function matches(event: RecordedEvent, filter: EventFilter): boolean {
  if (filter.types !== undefined && !filter.types.includes(event.type)) return false;
  const at = event.recordedAt.getTime();
  if (filter.recordedFrom !== undefined && at < filter.recordedFrom.getTime()) return false;
  if (filter.recordedTo !== undefined && at >= filter.recordedTo.getTime()) return false;
  if (filter.correlationId !== undefined && event.metadata?.correlationId !== filter.correlationId) return false;
  return true;
}

async function* take(events: AsyncIterable<RecordedEvent>, limit: number): AsyncIterable<RecordedEvent> {
  let count = 0;
  for await (const event of events) {
    yield event;
    if (++count >= limit) return;
  }
}
