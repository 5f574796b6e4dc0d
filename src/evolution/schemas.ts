// The schema versions of event types and the upcasters from each older version, declared
// once by the application. The EventStore records the current version of a declared type
// in each append's metadata and upcasts older events as it decodes them (codec.ts), so
// every read sees the current shape. Pure and synchronous: no I/O, no dependency.

import { SchemaDeclarationError, SchemaVersionError, UpcastError } from '../core/errors.js';
import { describe, nameProblem } from '../core/validation.js';

/**
 * The metadata key that holds the schema version an event was written at. The store
 * writes it on append for declared types; a read hands out the version of the data it
 * gives (the current one once upcast). Absent means version 1.
 */
export const SCHEMA_VERSION_KEY = '$schemaVersion';

/** What an upcaster answers: an object, never a promise (upcasters are synchronous). */
export type UpcastResult = object & { then?: never };

/**
 * From the data at one version to the data at the next. Pure and synchronous: it may run
 * on every read. Its parameter may be typed with the older shape.
 */
export type Upcaster = (data: never) => UpcastResult;

/** One event type's schema. */
export interface EventSchema<Data = Record<string, unknown>> {
  /** The current version: what appends record. A whole number from 1. */
  version: number;
  /** For each older version n (1 ≤ n < version), the upcaster from n to n + 1: no gap. */
  upcast?: { readonly [fromVersion: number]: Upcaster };
  /**
   * Older names of this type. An event stored under one reads as this type, at the
   * version it was stored at (a rename keeps the numbering), then is upcast as usual.
   */
  renamedFrom?: readonly string[];
  /** What is wrong with data of the current version, or undefined when it is valid. Contract checks use it. */
  validate?: (data: Data) => string | undefined;
}

/** Per event type, its schema. `Events` maps types to their current data, so `validate` is typed. */
export type EventSchemaDeclarations<Events extends object = Record<string, Record<string, unknown>>> = {
  [Type in keyof Events]?: EventSchema<Events[Type]>;
};

/** An event as upcasting sees it: its type and data as stored, and the version stored with it. */
export interface VersionedEvent {
  type: string;
  data: unknown;
  version: number;
  /** Its position in the log, when known: errors name it. */
  position?: number | undefined;
}

/** The checked declarations, frozen (`EventStoreOptions.schemas`). */
export interface EventSchemas {
  /** The declared types, in declaration order. */
  readonly types: readonly string[];
  /** The current version of a declared type; undefined for any other (those are never upcast). */
  versionOf(type: string): number | undefined;
  /** The type an event stored under `type` reads as: the newer name of a renamed type, else `type`. */
  currentTypeOf(type: string): string;
  /** The names events that read as `type` may be stored under: `type` and its older names. */
  storedTypesOf(type: string): readonly string[];
  /**
   * The event at the current version of its (current) type. An event of an undeclared
   * type is answered as it is. Throws SchemaVersionError for a version newer than the
   * current one, UpcastError when an upcaster throws or answers no object.
   */
  upcast(event: VersionedEvent): VersionedEvent;
  /** The declared validation's problem with data of the current version, or undefined. */
  validate(type: string, data: unknown): string | undefined;
}

const SCHEMA_KEYS = new Set(['version', 'upcast', 'renamedFrom', 'validate']);
/** A bound on versions, so a typo (a timestamp for a version) is refused. */
export const MAX_SCHEMA_VERSION = 10_000;

interface CheckedSchema {
  readonly version: number;
  /** upcasters[n - 1] goes from version n to n + 1. */
  readonly upcasters: readonly ((data: unknown) => unknown)[];
  readonly validate: ((data: unknown) => string | undefined) | undefined;
  readonly storedTypes: readonly string[];
}

/**
 * Checks and freezes the declarations of event schemas. Every problem is a
 * SchemaDeclarationError naming its place, raised here, before any store is opened.
 *
 * @example
 * const schemas = defineEventSchemas({
 *   PostWasCreated: {
 *     version: 3,
 *     upcast: {
 *       1: (data: PostV1) => ({ ...data, tags: [] }),
 *       2: ({ authorId, ...rest }: PostV2) => ({ ...rest, author: { id: authorId } }),
 *     },
 *     renamedFrom: ['PostCreated'],
 *   },
 * });
 * const store = await openEventStore(url, { schemas });
 */
export function defineEventSchemas<Events extends object = Record<string, Record<string, unknown>>>(
  declarations: NoInfer<EventSchemaDeclarations<Events>>,
): EventSchemas {
  if (typeof declarations !== 'object' || declarations === null || Array.isArray(declarations)) {
    throw new SchemaDeclarationError('schemas', 'must be an object of event types to their schemas');
  }
  const byType = new Map<string, CheckedSchema>();
  const renamed = new Map<string, string>();
  for (const [type, schema] of Object.entries(declarations as Record<string, unknown>)) {
    if (schema === undefined) continue;
    const checked = checkSchema(type, schema);
    byType.set(type, checked);
    for (const [i, old] of checked.storedTypes.slice(1).entries()) {
      const where = `schemas.${type}.renamedFrom[${i}]`;
      const problem = nameProblem(old);
      if (problem !== undefined) throw new SchemaDeclarationError(where, `the older name ${problem}`);
      const claimed = renamed.get(old);
      if (old === type || claimed !== undefined) throw new SchemaDeclarationError(where, `'${old}' is already ${old === type ? 'this type' : `renamed to '${claimed}'`}`);
      renamed.set(old, type);
    }
  }
  for (const [old, type] of renamed) {
    if (byType.has(old)) throw new SchemaDeclarationError(`schemas.${type}.renamedFrom`, `'${old}' is declared as a type of its own: an older name reads as the new one only`);
  }
  const types = Object.freeze([...byType.keys()]);

  return Object.freeze({
    types,
    versionOf: (type: string) => byType.get(type)?.version,
    currentTypeOf: (type: string) => renamed.get(type) ?? type,
    storedTypesOf: (type: string) => byType.get(type)?.storedTypes ?? [type],
    upcast(event: VersionedEvent): VersionedEvent {
      const type = renamed.get(event.type) ?? event.type;
      const schema = byType.get(type);
      if (schema === undefined) return event;
      const from = event.version;
      if (!Number.isSafeInteger(from) || from < 1) throw new SchemaVersionError(type, undefined, schema.version, event.position);
      if (from > schema.version) throw new SchemaVersionError(type, from, schema.version, event.position);
      let data = event.data;
      for (let version = from; version < schema.version; version++) data = runUpcaster(type, version, schema.upcasters[version - 1]!, data, event.position);
      return type === event.type && from === schema.version ? event : { type, data, version: schema.version };
    },
    validate(type: string, data: unknown) {
      const validate = byType.get(type)?.validate;
      return validate === undefined ? undefined : validate(data);
    },
  });
}

function checkSchema(type: string, schema: unknown): CheckedSchema {
  const where = `schemas.${type}`;
  const problem = nameProblem(type);
  if (problem !== undefined) throw new SchemaDeclarationError(where, `the event type ${problem}`);
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new SchemaDeclarationError(where, `must be an object with a version, got ${describe(schema)}`);
  }
  const unknown = Object.keys(schema).find((key) => !SCHEMA_KEYS.has(key));
  if (unknown !== undefined) throw new SchemaDeclarationError(`${where}.${unknown}`, `is not a schema option (version, upcast, renamedFrom, validate)`);
  const { version, upcast = {}, renamedFrom = [], validate } = schema as EventSchema;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1 || version > MAX_SCHEMA_VERSION) {
    throw new SchemaDeclarationError(`${where}.version`, `must be a whole number from 1 to ${MAX_SCHEMA_VERSION}, got ${describe(version)}`);
  }
  if (typeof upcast !== 'object' || upcast === null || Array.isArray(upcast)) {
    throw new SchemaDeclarationError(`${where}.upcast`, 'must be an object of versions to upcasters');
  }
  const upcasters: ((data: unknown) => unknown)[] = [];
  for (let from = 1; from < version; from++) {
    const upcaster = (upcast as Record<number, unknown>)[from];
    if (upcaster === undefined) throw new SchemaDeclarationError(`${where}.upcast.${from}`, `is missing: version ${version} needs an upcaster from each older version, 1 to ${version - 1}`);
    if (typeof upcaster !== 'function') throw new SchemaDeclarationError(`${where}.upcast.${from}`, `must be a function, got ${describe(upcaster)}`);
    upcasters.push(upcaster as (data: unknown) => unknown);
  }
  const extra = Object.keys(upcast).find((key) => !(Number(key) >= 1 && Number(key) < version && String(Number(key)) === key));
  if (extra !== undefined) throw new SchemaDeclarationError(`${where}.upcast.${extra}`, `is not an older version: upcasters go from 1 to ${version - 1}`);
  if (!Array.isArray(renamedFrom)) throw new SchemaDeclarationError(`${where}.renamedFrom`, 'must be an array of older type names');
  if (validate !== undefined && typeof validate !== 'function') throw new SchemaDeclarationError(`${where}.validate`, `must be a function, got ${describe(validate)}`);
  return Object.freeze({
    version,
    upcasters: Object.freeze(upcasters),
    validate: validate as CheckedSchema['validate'],
    storedTypes: Object.freeze([type, ...(renamedFrom as string[])]),
  });
}

function runUpcaster(type: string, from: number, upcaster: (data: unknown) => unknown, data: unknown, position: number | undefined): unknown {
  let result: unknown;
  try {
    result = upcaster(data);
  } catch (error) {
    throw new UpcastError(type, from, 'threw', 'threw', { cause: error, position });
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    // Its kind only: the value is data.
    const kind = result === null ? 'null' : Array.isArray(result) ? 'an array' : `a ${typeof result}`;
    throw new UpcastError(type, from, 'not-an-object', `answered ${kind}, not an object`, { position });
  }
  if (typeof (result as { then?: unknown }).then === 'function') {
    throw new UpcastError(type, from, 'not-an-object', 'answered a promise: upcasters are synchronous', { position });
  }
  return result;
}

/**
 * The schema version stored in an event's metadata: 1 when it has none. Whatever else
 * is there is answered as it is, for `upcast` to refuse.
 */
export function storedVersionOf(metadata: Record<string, unknown> | undefined): number {
  const version = metadata?.[SCHEMA_VERSION_KEY];
  return version === undefined ? 1 : typeof version === 'number' ? version : Number.NaN;
}

/** Refuses a `schemas` option that is not what defineEventSchemas makes, when the store is made. */
export function assertEventSchemas(schemas: unknown): asserts schemas is EventSchemas {
  const methods = ['versionOf', 'currentTypeOf', 'storedTypesOf', 'upcast', 'validate'];
  if (typeof schemas !== 'object' || schemas === null || methods.some((m) => typeof (schemas as Record<string, unknown>)[m] !== 'function')) {
    throw new SchemaDeclarationError('schemas', 'must be made by defineEventSchemas');
  }
}
