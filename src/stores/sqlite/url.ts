// A SQLite store's URL: `sqlite:<file>` (or `sqlite::memory:`), with
// `?synchronous=normal|full`.

import { StoreOpenError } from '../../core/errors.js';
import { rejectRepeated, rejectUnknown, splitParams, takeOneOf } from '../url-params.js';
import type { SqliteOptions } from './sqlite-storage.js';

export function isSqliteUrl(url: string): boolean {
  return url.startsWith('sqlite:');
}

/** The file and the options a `sqlite:` URL names. */
export function parseSqliteUrl(url: string): Pick<SqliteOptions, 'path' | 'synchronous'> {
  const { path, params } = splitParams(url.slice('sqlite:'.length));
  if (path === '') throw new StoreOpenError(url, 'a SQLite URL needs a file path, as in sqlite:./data/eventline.db');
  rejectRepeated(url, params);
  const synchronous = takeOneOf(params, 'synchronous', ['normal', 'full'] as const);
  rejectUnknown(url, params);
  return { path, ...(synchronous && { synchronous }) };
}
