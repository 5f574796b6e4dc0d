// Identifiers cannot be bound as parameters, so the one that varies (the schema
// name) is checked and quoted here, and nowhere else.

import { ValidationError } from '../../core/errors.js';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function quoteSchema(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new ValidationError('schema', `must be a letter or _ followed by up to 62 letters, digits or _, got ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

/** A stable 31-bit key per schema for advisory locks (FNV-1a). */
export function lockKey(schema: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < schema.length; i++) {
    hash ^= schema.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash & 0x7fffffff;
}

/** Advisory-lock namespaces (the first key of the two-key form). */
export const LOCK_MIGRATE = 0x45560001;
export const LOCK_APPEND = 0x45560002;
/** The first key of a projection's lease; the second is lockKey(`${schema}.${projection}`). */
export const LOCK_PROJECTION = 0x45560003;
/** Held shared by every connection that listens for a schema's appends (listener.ts). */
export const LOCK_LISTEN = 0x45560004;
/** The store's maintenance lock (prune, archive restore, backup), held for a session; the second key is lockKey(schema). */
export const LOCK_MAINTENANCE = 0x45560005;
/** A subject in a key schema (key-storage.ts); the second key is lockKey(`${schema}/${subjectHash}`). */
export const LOCK_KEY_SUBJECT = 0x45560011;
