// Data and metadata cross from one store to another as they are stored, below the
// codec: nothing is decoded, upcast or revealed. The SQL stores keep JSON text; the
// memory store keeps JSON values (its copyCodec). Between two SQL stores the text goes
// over byte for byte; to or from memory it changes form only, between a value and the
// text JSON gives of it, as the stores' default codecs would.

import type { EventStore } from '../store/event-store.js';

type Body = unknown;

/** Whether the store keeps bodies as JSON values rather than text. */
const keepsValues = (store: EventStore) => store.kind === 'memory';

/** Makes a source body into what the target keeps. */
export function bodyConverter(from: EventStore, to: EventStore): (body: Body) => Body {
  const fromValues = keepsValues(from);
  const toValues = keepsValues(to);
  if (fromValues && toValues) return (body) => (body == null ? null : structuredClone(body));
  if (fromValues) return (body) => (body == null ? null : JSON.stringify(body));
  if (toValues) return (body) => (typeof body === 'string' ? JSON.parse(body) : body);
  return (body) => body;
}

/** A body as text, for hashing: the same on both sides of a copy. */
export function bodyText(store: EventStore): (body: Body) => string | null {
  return keepsValues(store) ? (body) => (body == null ? null : JSON.stringify(body)) : (body) => (body == null ? null : String(body));
}
