// Keyset paging for the read side: a page ends at a (sort value, post id) pair, and
// the next page starts strictly after it. Unlike an offset, a cursor neither skips nor
// repeats a row when posts are added meanwhile, and ties on the sort value are broken
// by the post id. The cursor is opaque to callers: base64url of a small JSON array.

import { ValidationError } from '../../../src/index.js';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** Where a page ended: the sort value and post id of its last row. */
export interface Boundary {
  value: number;
  postId: string;
}

export interface Page<Item> {
  items: Item[];
  /** Pass it as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export function checkLimit(limit: unknown = DEFAULT_LIMIT): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limit) ?? String(limit)}`);
  }
  return limit;
}

/** `kind` names the query, so a cursor from one query is refused by another. */
export function encodeCursor(kind: string, boundary: Boundary): string {
  return Buffer.from(JSON.stringify([kind, boundary.value, boundary.postId])).toString('base64url');
}

export function decodeCursor(kind: string, cursor: unknown): Boundary | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const bad = () => new ValidationError('cursor', 'is not a cursor this query gave out');
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad();
  const [cursorKind, value, postId] = parsed as unknown[];
  if (cursorKind !== kind || !Number.isSafeInteger(value) || typeof postId !== 'string' || postId === '') throw bad();
  return { value: value as number, postId };
}

/** Rows fetched with limit + 1: the extra row only says whether there is a next page. */
export function pageOf<Row, Item>(rows: Row[], limit: number, view: (row: Row) => Item, boundary: (row: Row) => Boundary, kind: string): Page<Item> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(view),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(kind, boundary(last)) : null,
  };
}
