// The codec sits between the application and the stores. Stores keep opaque text;
// everything about its shape (JSON, upcasting old versions, encrypting personal data)
// happens here, so a store never needs to change for it.

import { assertJsonFaithful } from './json.js';

/** The part of an event a codec transforms. */
export interface EventPayload {
  type: string;
  data: unknown;
  metadata: Record<string, unknown> | undefined;
}

/** What a store keeps: the type and two opaque texts. */
export interface EncodedPayload {
  type: string;
  data: string;
  metadata: string | null;
}

export interface EventCodec {
  /** Throws a ValidationError when the payload cannot be encoded faithfully. */
  encode(payload: EventPayload): EncodedPayload;
  decode(encoded: EncodedPayload): EventPayload;
}

/** The default codec: plain JSON, refusing anything JSON would not give back unchanged. */
export const jsonCodec: EventCodec = {
  encode({ type, data, metadata }) {
    assertJsonFaithful(data, 'data');
    if (metadata !== undefined) assertJsonFaithful(metadata, 'metadata');
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
