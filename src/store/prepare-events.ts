// The events of an append, checked and encoded: every store receives the same opaque
// payloads and refuses nothing the others accept. This runs once per event of every
// append, so it walks each value once and builds a field name only for an error.

import type { EventCodec } from '../core/codec.js';
import { DuplicateEventError, EventTooLargeError, ValidationError } from '../core/errors.js';
import type { NewEvent } from '../core/events.js';
import { assertJsonFaithfulFully, jsonBytes, jsonBytesBound } from '../core/json.js';
import { isUuid } from '../core/uuid.js';
import { nameProblem, objectProblem } from '../core/validation.js';
import type { EventToStore } from './storage.js';

export type PrepareEvents<Body> = (events: readonly NewEvent[]) => EventToStore<Body>[];

export function eventPreparer<Body>(codec: EventCodec<Body>, maxEventBytes: number): PrepareEvents<Body> {
  return function prepare(events) {
    if (!Array.isArray(events)) throw new ValidationError('events', 'must be an array of events');
    if (events.length === 0) throw new ValidationError('events', 'must contain at least one event');
    let seen: Set<string> | undefined;
    const prepared: EventToStore<Body>[] = [];
    for (let i = 0; i < events.length; i++) {
      const event: unknown = events[i];
      refuse(objectProblem(event), i);
      const { type, data, metadata, eventId: givenId } = event as NewEvent;
      refuse(nameProblem(type), i, '.type');
      if (metadata !== undefined) refuse(objectProblem(metadata), i, '.metadata');
      let eventId: string | undefined;
      if (givenId !== undefined) {
        seen ??= new Set();
        eventId = givenEventId(givenId, `events[${i}].eventId`, seen);
      }
      // The size of an event is that of its JSON, whatever the codec makes of it, so that
      // every store and codec allows the same events. Most are clearly within the limit.
      const bound = sizeBound(data, i, 'data') + (metadata === undefined ? 0 : sizeBound(metadata, i, 'metadata'));
      if (bound > maxEventBytes) {
        const bytes = jsonBytes(data) + (metadata === undefined ? 0 : jsonBytes(metadata));
        if (bytes > maxEventBytes) throw new EventTooLargeError(`events[${i}]`, bytes, maxEventBytes);
      }
      let encoded;
      try {
        encoded = codec.encode({ type, data, metadata });
      } catch (error) {
        // A codec of the application's may refuse a payload, naming the path inside the
        // event; prefix it with the event's place.
        if (error instanceof ValidationError) throw new ValidationError(`events[${i}].${error.field}`, error.reason);
        throw error;
      }
      prepared.push({ eventId, type: encoded.type, data: encoded.data, metadata: encoded.metadata });
    }
    return prepared;
  };
}

/** Refuses data or metadata JSON cannot carry; else a bound on its bytes (json.ts). */
function sizeBound(value: unknown, i: number, part: string): number {
  const bound = jsonBytesBound(value);
  if (bound !== undefined) return bound;
  assertJsonFaithfulFully(value, `events[${i}].${part}`);
  return jsonBytes(value);
}

/** Throws for a problem with events[i] (or a part of it); the field name is built only then. */
function refuse(problem: string | undefined, i: number, part = ''): void {
  if (problem !== undefined) throw new ValidationError(`events[${i}]${part}`, problem);
}

function givenEventId(value: unknown, field: string, seen: Set<string>): string {
  if (typeof value !== 'string' || !isUuid(value)) throw new ValidationError(field, 'must be a UUID');
  // PostgreSQL gives UUIDs back in lower case; every store does the same.
  const eventId = value.toLowerCase();
  if (seen.has(eventId)) throw new DuplicateEventError(eventId, 'appears twice in one append');
  seen.add(eventId);
  return eventId;
}
