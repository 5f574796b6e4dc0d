// The store's payload guard for personal data: it seals each declared personal field of
// an event as it is appended, under the data key of the field's subject and category,
// and opens it again as it is read. Once a subject is forgotten its keys are gone, and
// its fields read as the erased marker everywhere, while the rest of each event (and
// other people's fields) reads as before.

import type { PayloadGuard, GuardedEvent } from '../store/payload-guard.js';
import type { PersonalDataRegistry, PersonalField } from './declarations.js';
import { isEnvelope, openEnvelope, sealField, type Envelope } from './envelope.js';
import { erasedField } from './erased.js';
import type { DataKey, Keyring } from './keyring.js';
import { isSealedSnapshot, openSnapshotState, sealedSnapshotKeyIds, sealSnapshotState } from './sealed-snapshot.js';

/** A payload guard that seals snapshots too. */
export type SnapshotSealingGuard = PayloadGuard & Required<Pick<PayloadGuard, 'sealSnapshot' | 'revealSnapshot'>>;

/**
 * A payload guard (`EventStoreOptions.payloads`) that seals the personal fields
 * `registry` declares with keys of `keyring`.
 *
 * - Appending: a field that is absent or undefined is left alone; every other one is
 *   sealed, bound to its event id and path. Personal data of a forgotten subject is
 *   refused with SubjectErasedError, and nothing of the append is written.
 * - Reading: a field whose key is gone reads as `erasedField()`. An envelope that does
 *   not open with a key that exists (altered, or copied from another event or field) is
 *   an EnvelopeError: that is corruption, not erasure, and is never passed off as either
 *   data or the marker. A value that is not an envelope (written before its type was
 *   declared personal) is handed out as it is.
 * - Snapshots (sealed-snapshot.ts): the state of a stream whose events hold sealed
 *   fields is sealed whole, under the data keys of all those fields that still exist; it
 *   opens only while every one of them does, and reads as absent (the loader folds the
 *   stream) once one is forgotten. An altered one is a SealedSnapshotError. A stream
 *   without sealed fields keeps its snapshot as plain JSON.
 *
 * @example
 * const keyring = await openKeyring(keyStorage, (await loadKek()).key);
 * const store = await openEventStore(url, { payloads: personalDataGuard(personalData, keyring) });
 */
export function personalDataGuard(registry: PersonalDataRegistry, keyring: Keyring): SnapshotSealingGuard {
  const types = new Set(registry.types);

  return {
    handles: (type) => types.has(type),

    async seal(events) {
      // What to seal, and the key of each distinct (subject, category): at hand when this
      // process used it a moment ago, else asked for, all at once.
      const work: FieldToSeal[][] = [];
      const keys = new Map<string, DataKey>();
      const missing = new Map<string, { subjectId: string; category: string }>();
      for (const event of events) {
        const fields: FieldToSeal[] = [];
        for (const field of registry.fieldsOf(event.type)) {
          const value = valueAt(event.data, field.segments);
          if (value === undefined) continue;
          const subjectId = field.subjectOf(event);
          const pair = JSON.stringify([subjectId, field.category]);
          if (!keys.has(pair) && !missing.has(pair)) {
            const cached = keyring.cachedKeyFor(subjectId, field.category);
            if (cached !== undefined) keys.set(pair, cached);
            else missing.set(pair, { subjectId, category: field.category });
          }
          fields.push({ field, value, pair });
        }
        work.push(fields);
      }
      // A forgotten subject rejects here (SubjectErasedError), before anything is written.
      if (missing.size > 0) {
        const found = await Promise.all([...missing].map(async ([pair, { subjectId, category }]) => [pair, await keyring.keyFor(subjectId, category)] as const));
        for (const [pair, key] of found) keys.set(pair, key);
      }
      return events.map((event, i) => {
        const fields = work[i]!;
        if (fields.length === 0) return event.data;
        return withValues(
          event.data,
          fields.map(({ field, value, pair }) => {
            const { keyId, key } = keys.get(pair)!;
            return { segments: field.segments, value: sealField(value, { key, kid: keyId, eventId: event.eventId, path: field.path }) };
          }),
        );
      });
    },

    async reveal(events) {
      // Plain loops: a read reveals thousands of events, and this runs for each.
      const sealed: SealedField[][] = [];
      const kids = new Set<string>();
      for (const event of events) {
        const fields: SealedField[] = [];
        for (const field of registry.fieldsOf(event.type)) {
          const value = valueAt(event.data, field.segments);
          if (!isEnvelope(value)) continue;
          fields.push({ field, envelope: value });
          kids.add(value.kid);
        }
        sealed.push(fields);
      }
      if (kids.size === 0) return events.map((event) => event.data);
      const keys = await keyring.keysById([...kids]);
      return events.map((event, i) => revealed(event, sealed[i]!, keys));
    },

    async sealSnapshot({ streamId, version }, json, events) {
      const kids = new Set<string>();
      for (const event of events) {
        for (const field of registry.fieldsOf(event.type)) {
          const value = valueAt(event.data, field.segments);
          if (isEnvelope(value)) kids.add(value.kid);
        }
      }
      if (kids.size === 0) return undefined;
      // A key that is gone is left out: the fields it sealed read as the erased marker in a
      // state folded since its subject was forgotten, so the state holds nothing it opened.
      const keys = await keyring.keysById([...kids]);
      return keys.size === 0 ? undefined : sealSnapshotState(streamId, version, json, keys);
    },

    async revealSnapshot({ streamId, version }, text) {
      if (!isSealedSnapshot(text)) return text;
      const keys = await keyring.keysById(sealedSnapshotKeyIds(streamId, version, text));
      return openSnapshotState(streamId, version, text, keys);
    },
  };
}

/** A personal field of an event to seal, and its (subject, category) pair as a map key. */
interface FieldToSeal {
  field: PersonalField;
  value: unknown;
  pair: string;
}

interface SealedField {
  field: PersonalField;
  envelope: Envelope;
}

function revealed(event: GuardedEvent, fields: readonly SealedField[], keys: Map<string, Buffer>): unknown {
  if (fields.length === 0) return event.data;
  const writes: { segments: readonly string[]; value: unknown }[] = [];
  for (const { field, envelope } of fields) {
    const key = keys.get(envelope.kid);
    // No key: its subject (or category) was forgotten. A key that does not open it: EnvelopeError.
    const value = key === undefined ? erasedField() : openEnvelope(envelope, { key, eventId: event.eventId, path: field.path });
    writes.push({ segments: field.segments, value });
  }
  return withValues(event.data, writes);
}

/** The value at a path of own properties, or undefined where the path does not lead. */
export function valueAt(data: unknown, segments: readonly string[]): unknown {
  let current = data;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * `data` with each value at its path (each path leads, see valueAt), the objects along
 * the paths copied once each: the objects given are never changed.
 */
function withValues(data: unknown, writes: readonly { segments: readonly string[]; value: unknown }[]): unknown {
  const copies = new Set<object>();
  const copy = (value: unknown): Record<string, unknown> => {
    const made = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) }) as Record<string, unknown>;
    copies.add(made);
    return made;
  };
  const root = copy(data);
  for (const { segments, value } of writes) {
    let parent = root;
    for (const segment of segments.slice(0, -1)) {
      let child = parent[segment] as Record<string, unknown>;
      if (!copies.has(child)) parent[segment] = child = copy(child);
      parent = child;
    }
    parent[segments[segments.length - 1]!] = value;
  }
  return root;
}
