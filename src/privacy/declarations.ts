// Which fields of which events are personal, whose they are and of what category. The
// application declares it once; everything that seals, opens or forgets reads it here.
// A declaration is checked whole when it is made, so a typo fails at start-up rather
// than leaving a field in the clear.

import { ValidationError } from '../core/errors.js';
import { nameProblem } from '../core/validation.js';

/** What a subject selector receives: the event as the application appends it. */
export interface PersonalEvent<Data = Record<string, unknown>> {
  type: string;
  data: Data;
  metadata?: Record<string, unknown> | undefined;
}

/** One personal field of an event type, as the application declares it. */
export interface PersonalFieldDeclaration<Data = Record<string, unknown>> {
  /** A dot path into the event's data: `name`, `address.city`. */
  path: string;
  /** The id of the person the field belongs to: a surrogate id (a user id), never an email. */
  subject: (event: PersonalEvent<Data>) => unknown;
  /** The kind of data (profile, contact, ...): one key per subject and category, forgotten together. */
  category: string;
}

/**
 * Per event type, its personal fields. `Events` maps event types to their data, so that
 * selectors are typed: `definePersonalData<{ AuthorRegistered: AuthorRegistered }>({ ... })`.
 */
export type PersonalDataDeclarations<Events extends object = Record<string, Record<string, unknown>>> = {
  [Type in keyof Events]?: readonly PersonalFieldDeclaration<Events[Type]>[];
};

/** A checked personal field. */
export interface PersonalField {
  readonly path: string;
  /** The path split at its dots. */
  readonly segments: readonly string[];
  readonly category: string;
  /** The subject id of this field in `event`, checked (see `subjectIdOf`). */
  subjectOf(event: PersonalEvent<unknown>): string;
}

/** The checked declarations, frozen. */
export interface PersonalDataRegistry {
  /** The event types that have personal fields. */
  readonly types: readonly string[];
  /** The personal fields of an event type; none for a type not declared. */
  fieldsOf(type: string): readonly PersonalField[];
}

const CATEGORY = /^[a-z][a-z0-9_-]{0,31}$/;
const MAX_SUBJECT_ID_LENGTH = 200;
// Segments that would reach an object's prototype rather than its data.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const DECLARATION_KEYS = new Set(['path', 'subject', 'category']);

/**
 * Checks and freezes the declarations of personal data. Each problem is a ValidationError
 * naming the field, as `personalData.AuthorRegistered[1].category`.
 *
 * @example
 * const personalData = definePersonalData({
 *   AuthorRegistered: [
 *     { path: 'name', subject: (event) => event.data.authorId, category: 'profile' },
 *     { path: 'email', subject: (event) => event.data.authorId, category: 'contact' },
 *   ],
 * });
 */
export function definePersonalData<Events extends object = Record<string, Record<string, unknown>>>(
  declarations: NoInfer<PersonalDataDeclarations<Events>>,
): PersonalDataRegistry {
  if (typeof declarations !== 'object' || declarations === null || Array.isArray(declarations)) {
    throw new ValidationError('personalData', 'must be an object of event types to their personal fields');
  }
  const byType = new Map<string, readonly PersonalField[]>();
  for (const [type, fields] of Object.entries(declarations as Record<string, unknown>)) {
    const where = `personalData.${type}`;
    const problem = nameProblem(type);
    if (problem !== undefined) throw new ValidationError(where, `the event type ${problem}`);
    if (!Array.isArray(fields)) throw new ValidationError(where, 'must be an array of personal fields');
    const checked = fields.map((field: unknown, index) => checkField(field, `${where}[${index}]`));
    checkPathsApart(checked, where);
    byType.set(type, Object.freeze(checked));
  }
  const none: readonly PersonalField[] = Object.freeze([]);
  return Object.freeze({
    types: Object.freeze([...byType.keys()]),
    fieldsOf: (type: string) => byType.get(type) ?? none,
  });
}

/**
 * A subject id, checked where it is used: a non-empty string of at most 200 characters,
 * without whitespace, and not shaped like an email address (an `@` with a dot after it).
 * Personal data must name its subject by a surrogate id, since the id itself is not
 * sealed. The error never repeats the id.
 */
export function subjectIdOf(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(field, 'a subject id must be a non-empty string');
  }
  if (value.length > MAX_SUBJECT_ID_LENGTH) {
    throw new ValidationError(field, `a subject id must be at most ${MAX_SUBJECT_ID_LENGTH} characters`);
  }
  if (/\s/.test(value)) throw new ValidationError(field, 'a subject id must not contain whitespace: use a surrogate id');
  const at = value.indexOf('@');
  if (at >= 0 && value.indexOf('.', at) > at) {
    throw new ValidationError(field, 'an email-shaped subject id is refused: use a surrogate id');
  }
  return value;
}

/** Checks a category name: a lower-case letter, then up to 31 lower-case letters, digits, `_` or `-`. */
export function assertCategory(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !CATEGORY.test(value)) {
    throw new ValidationError(field, 'a category must match /^[a-z][a-z0-9_-]{0,31}$/ (profile, contact, ...)');
  }
}

/**
 * The categories a forget names, checked and without repeats, in the order given; null
 * (every category) when none are named. An empty list is refused: it would forget nothing.
 */
export function checkCategories(categories: readonly string[] | undefined): readonly string[] | null {
  if (categories === undefined) return null;
  if (!Array.isArray(categories) || categories.length === 0) {
    throw new ValidationError('categories', 'must be a non-empty array of categories (leave it out to forget every category)');
  }
  categories.forEach((category, index) => assertCategory(category, `categories[${index}]`));
  return Object.freeze([...new Set(categories)]);
}

function checkField(field: unknown, where: string): PersonalField {
  if (typeof field !== 'object' || field === null || Array.isArray(field)) {
    throw new ValidationError(where, 'must be an object { path, subject, category }');
  }
  const unknownKey = Object.keys(field).find((key) => !DECLARATION_KEYS.has(key));
  if (unknownKey !== undefined) throw new ValidationError(`${where}.${unknownKey}`, 'is not part of a declaration { path, subject, category }');
  const { path, subject, category } = field as Record<string, unknown>;
  if (typeof path !== 'string' || path.length === 0) throw new ValidationError(`${where}.path`, 'must be a non-empty dot path into data');
  const segments = path.split('.');
  if (segments.some((segment) => segment.length === 0)) {
    throw new ValidationError(`${where}.path`, `'${path}' has an empty segment: write a dot path like 'address.city'`);
  }
  const forbidden = segments.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
  if (forbidden !== undefined) throw new ValidationError(`${where}.path`, `'${forbidden}' cannot be part of a path`);
  if (typeof subject !== 'function') throw new ValidationError(`${where}.subject`, 'must be a function (event) => subject id');
  assertCategory(category, `${where}.category`);
  const select = subject as (event: PersonalEvent<unknown>) => unknown;
  return Object.freeze({
    path,
    segments: Object.freeze(segments),
    category,
    subjectOf: (event: PersonalEvent<unknown>) => subjectIdOf(select(event), `${where}.subject`),
  });
}

/** Two declarations of one event type may not name the same field, or a field and a part of it. */
function checkPathsApart(fields: readonly PersonalField[], where: string): void {
  // Pairwise rather than sorted: in sort order 'a-b' falls between 'a' and 'a.b'. A type has few fields.
  for (const [i, { path }] of fields.entries()) {
    for (const { path: other } of fields.slice(0, i)) {
      if (path === other) throw new ValidationError(where, `'${path}' is declared twice`);
      const [outer, inner] = path.length < other.length ? [path, other] : [other, path];
      if (inner.startsWith(`${outer}.`)) throw new ValidationError(where, `'${inner}' lies inside '${outer}', which is declared too`);
    }
  }
}
