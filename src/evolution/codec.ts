// Where the EventStore applies event schemas: a codec around the store's own, which
// records the current schema version of a declared type as an append is encoded, and
// upcasts an older event as it is decoded. Every read decodes through it (a stream, a
// fold, the log, subscriptions, append hooks), so each sees the current shape, and
// nothing that reads through the store has to remember to upcast.

import type { EventCodec, EventPayload } from '../core/codec.js';
import { ValidationError } from '../core/errors.js';
import { SCHEMA_VERSION_KEY, storedVersionOf, type EventSchemas } from './schemas.js';

/**
 * `codec` with `schemas` applied. Events of the types `deferred` names are decoded
 * without upcasting: the store upcasts them later (`upcastInPlace`), once its payload
 * guard has revealed their sealed fields, which are bound to the stored type and paths.
 */
export function schemaCodec<Body>(codec: EventCodec<Body>, schemas: EventSchemas, deferred?: (type: string) => boolean): EventCodec<Body> {
  return {
    encode: (payload) => codec.encode(stamped(schemas, payload)),
    decode(encoded) {
      const payload = codec.decode(encoded);
      if (deferred?.(payload.type) === true) return payload;
      // The store decodes stored events and stream payloads, which carry their position.
      const position = (encoded as { position?: unknown }).position;
      return upcasted(schemas, payload, typeof position === 'number' ? position : undefined) ?? payload;
    },
  };
}

/** The store's step after its payload guard reveals an event: upcasting in place; undefined without schemas. */
export function revealedUpcaster(schemas: EventSchemas | undefined): ((event: EventPayload & { position?: number }) => void) | undefined {
  return schemas === undefined ? undefined : (event) => upcastInPlace(schemas, event);
}

/** Upcasts a decoded event in place (after its sealed fields are revealed). */
export function upcastInPlace(schemas: EventSchemas, event: EventPayload & { position?: number }): void {
  const up = upcasted(schemas, event, event.position);
  if (up === undefined) return;
  event.type = up.type;
  event.data = up.data;
  event.metadata = up.metadata;
}

/**
 * The payload with the version of a declared type recorded: the current one when the
 * metadata names none. An append may name an older version (a copy of stored events
 * does): it is kept, and reads upcast from it. A version newer than the current one, or
 * not a version, is refused.
 */
function stamped(schemas: EventSchemas, payload: EventPayload): EventPayload {
  const current = schemas.versionOf(payload.type);
  if (current === undefined) return payload;
  const given = payload.metadata?.[SCHEMA_VERSION_KEY];
  if (given === undefined) return { ...payload, metadata: { ...payload.metadata, [SCHEMA_VERSION_KEY]: current } };
  if (typeof given !== 'number' || !Number.isSafeInteger(given) || given < 1 || given > current) {
    throw new ValidationError(`metadata.${SCHEMA_VERSION_KEY}`, `must be a schema version of ${payload.type} from 1 to ${current}, or absent (the store writes the current one)`);
  }
  return payload;
}

/** The payload at the current version of its type, or undefined when it already is. */
function upcasted(schemas: EventSchemas, payload: EventPayload, position: number | undefined): EventPayload | undefined {
  const version = storedVersionOf(payload.metadata);
  const event = { type: payload.type, data: payload.data, version, position };
  const up = schemas.upcast(event);
  if (up === event) return undefined;
  // The metadata handed out names the version of the data handed out, so an event read
  // and appended again (a copy) is recorded at the version its data is in.
  const metadata = up.version === version ? payload.metadata : { ...payload.metadata, [SCHEMA_VERSION_KEY]: up.version };
  return { type: up.type, data: up.data, metadata };
}
