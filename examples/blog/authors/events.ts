// The facts about the blog's authors. The name and the email are personal data: they are
// sealed under the author's keys when appended (personal-data.ts) and read as the erased
// marker once the author is forgotten, so their types allow it.

import type { ErasedField } from '../../../src/index.js';

/** A personal field as it is read back: the value, or the marker once its subject is forgotten. */
export type Personal<T> = T | ErasedField;

export interface AuthorRegistered {
  type: 'AuthorRegistered';
  data: { authorId: string; name: Personal<string>; email: Personal<string> };
}

/** Carries only what changed. */
export interface AuthorProfileChanged {
  type: 'AuthorProfileChanged';
  data: { authorId: string; name?: Personal<string>; email?: Personal<string> };
}

/**
 * Appended just before the author's keys are destroyed. It holds nothing personal: it
 * tells read models that copied the author's name or email to drop them, since the
 * SubjectForgotten that follows names the subject by a keyed hash they cannot map back.
 */
export interface AuthorForgotten {
  type: 'AuthorForgotten';
  data: { authorId: string };
}

export type AuthorEvent = AuthorRegistered | AuthorProfileChanged | AuthorForgotten;

export const AUTHOR_EVENT_TYPES = ['AuthorRegistered', 'AuthorProfileChanged', 'AuthorForgotten'] as const;
