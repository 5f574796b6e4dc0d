// The `authors` read model: one row per author with the name and email in the clear, so
// pages can show who wrote a post without reading events. A copy of personal data is
// personal data: forgetting an author must empty it too, in the table and on the disk.
//
// How the row learns of a forget: the SubjectForgotten event names the subject by a keyed
// hash, which this projection cannot map to an author id (it holds no key, by design). So
// forgetAuthor appends AuthorForgotten { authorId } to the author's stream first, and the
// projection blanks the row on it. A rebuild after the forget folds the name and email as
// the erased marker, and stores NULL for those too.
//
// On SQLite the row's old bytes would stay in the page's free space after the UPDATE, so
// the projection turns on secure_delete (SQLite zeroes what it frees) before every write
// to the table; the application checkpoints (or closes the store) to empty the -wal file.

import { defineProjection, isErased, type ReadModelDb, type ReadModelStorage, type RecordedEvent } from '../../../src/index.js';
import type { AuthorEvent, Personal } from './events.js';

/** A row of `authors` as SQL returns it. */
export interface AuthorRow {
  author_id: string;
  /** Null once the author is forgotten. */
  name: string | null;
  email: string | null;
  /** 1 once the author is forgotten. */
  forgotten: number;
  version: number;
}

/** What a page shows for a forgotten author's name. */
export const ERASED_NAME = '[erased]';

const SETUP = `
  CREATE TABLE IF NOT EXISTS {authors} (
    author_id TEXT    PRIMARY KEY,
    name      TEXT,
    email     TEXT,
    forgotten INTEGER NOT NULL,
    version   INTEGER NOT NULL
  )`;

const REGISTER = `
  INSERT INTO {authors} (author_id, name, email, forgotten, version) VALUES ($1, $2, $3, 0, $4)
  ON CONFLICT (author_id) DO NOTHING`;
// $2 and $4 say whether the event carries a new name, a new email.
const CHANGE = `
  UPDATE {authors} SET
    name = CASE WHEN $2 = 1 THEN $3 ELSE name END,
    email = CASE WHEN $4 = 1 THEN $5 ELSE email END,
    version = $6
  WHERE author_id = $1 AND version < $6`;
const FORGET = `UPDATE {authors} SET name = NULL, email = NULL, forgotten = 1, version = $2 WHERE author_id = $1 AND version < $2`;

/** The value to store: null for the erased marker (a rebuild after the forget). */
const clear = (value: Personal<string>): string | null => (isErased(value) ? null : value);

async function apply(recorded: RecordedEvent, db: ReadModelDb): Promise<void> {
  // Per connection, and cheap: set before each write, so no write to this table ever leaves freed bytes behind.
  if (db.dialect === 'sqlite') await db.run('PRAGMA secure_delete = ON');
  const event = recorded as RecordedEvent & AuthorEvent;
  const { version } = recorded;
  switch (event.type) {
    case 'AuthorRegistered': {
      const { authorId, name, email } = event.data;
      await db.run(REGISTER, [authorId, clear(name), clear(email), version]);
      return;
    }
    case 'AuthorProfileChanged': {
      const { authorId, name, email } = event.data;
      const given = (value: Personal<string> | undefined) => (value === undefined ? [0, null] : [1, clear(value)]);
      await db.run(CHANGE, [authorId, ...given(name), ...given(email), version]);
      return;
    }
    case 'AuthorForgotten':
      await db.run(FORGET, [event.data.authorId, version]);
      return;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export const authorsProjection = defineProjection({
  name: 'authors',
  eventTypes: ['AuthorRegistered', 'AuthorProfileChanged', 'AuthorForgotten'],
  tables: ['authors'],
  setup: SETUP,
  handle: apply,
});

/** An author as pages show them. */
export interface AuthorView {
  authorId: string;
  /** The name, or ERASED_NAME once forgotten. */
  name: string;
  email: string | null;
  forgotten: boolean;
}

/** Answers from the `authors` read model only. */
export function authorQueries(readModels: ReadModelStorage) {
  const tables = { authors: readModels.table('authors') };
  const view = (row: AuthorRow): AuthorView => ({ authorId: row.author_id, name: row.name ?? ERASED_NAME, email: row.email, forgotten: row.forgotten === 1 });
  return {
    async author(authorId: string): Promise<AuthorView | undefined> {
      const row = await readModels.transaction(tables, (db) => db.get<AuthorRow>('SELECT * FROM {authors} WHERE author_id = $1', [authorId]));
      return row && view(row);
    },
    /** Up to `limit` authors in author id order, after the id `after` when given. */
    async authors({ limit, after }: { limit: number; after?: string }): Promise<AuthorView[]> {
      const rows = await readModels.transaction(tables, (db) =>
        after === undefined
          ? db.all<AuthorRow>('SELECT * FROM {authors} ORDER BY author_id LIMIT $1', [limit])
          : db.all<AuthorRow>('SELECT * FROM {authors} WHERE author_id > $2 ORDER BY author_id LIMIT $1', [limit, after]),
      );
      return rows.map(view);
    },
  };
}
