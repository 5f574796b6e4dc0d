// The codec sits between the application and the stores. Stores keep opaque payloads;
// everything about their shape (JSON, upcasting old versions, encrypting personal data)
// happens here, so a store never needs to change for it.

import { copyJson } from './json.js';

/** The part of an event a codec transforms. */
export interface EventPayload {
  type: string;
  data: unknown;
  metadata: Record<string, unknown> | undefined;
}

/** What a store keeps: the type and two opaque bodies, text unless a store says otherwise. */
export interface EncodedPayload<Body = string> {
  type: string;
  data: Body;
  metadata: Body | null;
}

/**
 * Turns payloads into what a store keeps and back. `encode` receives what the
 * EventStore has already checked: data and metadata that JSON carries faithfully.
 */
export interface EventCodec<Body = string> {
  encode(payload: EventPayload): EncodedPayload<Body>;
  decode(encoded: EncodedPayload<Body>): EventPayload;
}

/** The default codec of the SQL stores: JSON text. */
export const jsonCodec: EventCodec = {
  encode({ type, data, metadata }) {
    return {
      type,
      data: JSON.stringify(data),
      metadata: metadata === undefined ? null : JSON.stringify(metadata),
    };
  },
  decode({ type, data, metadata }) {
    return {
      type,
      data: JSON.parse(data) as unknown,
      metadata: metadata === null ? undefined : (JSON.parse(metadata) as Record<string, unknown>),
    };
  },
};

/**
 * The memory store's default codec: a private copy of each JSON value, in and out, equal
 * to what the JSON codec gives back but without writing the text. A store in memory
 * needs no text, and the copies share their strings with the application's objects.
 */
export const copyCodec: EventCodec<unknown> = {
  encode({ type, data, metadata }) {
    return { type, data: copyJson(data), metadata: metadata === undefined ? null : copyJson(metadata) };
  },
  decode({ type, data, metadata }) {
    return { type, data: copyJson(data), metadata: metadata === null ? undefined : (copyJson(metadata) as Record<string, unknown>) };
  },
};
