// The `author_stats` read model: how many posts each author has, and how many are
// published. A PostWasPublished event names only its post, so the projection keeps a
// table of its own, `post_authors`, to remember whose post it is and whether it is
// already counted as published.

import { defineProjection, type RecordedEvent, type ReadModelDb } from '../../../src/index.js';
import type { PostEvent } from '../events.js';

/** A row of `author_stats` as SQL returns it. */
export interface AuthorStatsRow {
  author_id: string;
  posts: number;
  published_posts: number;
}

const SETUP = `
  CREATE TABLE IF NOT EXISTS {author_stats} (
    author_id       TEXT    PRIMARY KEY,
    posts           INTEGER NOT NULL,
    published_posts INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS {post_authors} (
    post_id   TEXT    PRIMARY KEY,
    author_id TEXT    NOT NULL,
    published INTEGER NOT NULL
  )`;

// The counters move only when post_authors changes, so an event applied twice counts once.
const REMEMBER_POST = `
  INSERT INTO {post_authors} (post_id, author_id, published) VALUES ($1, $2, 0)
  ON CONFLICT (post_id) DO NOTHING`;

const COUNT_POST = `
  INSERT INTO {author_stats} (author_id, posts, published_posts) VALUES ($1, 1, 0)
  ON CONFLICT (author_id) DO UPDATE SET posts = {author_stats}.posts + 1`;

const MARK_PUBLISHED = `UPDATE {post_authors} SET published = $2 WHERE post_id = $1 AND published <> $2`;

const COUNT_PUBLISHED = `
  UPDATE {author_stats} SET published_posts = published_posts + $2
  WHERE author_id = (SELECT author_id FROM {post_authors} WHERE post_id = $1)`;

async function apply(recorded: RecordedEvent, db: ReadModelDb): Promise<void> {
  const event = recorded as RecordedEvent & PostEvent;
  switch (event.type) {
    case 'PostWasCreated': {
      const { postId, authorId } = event.data;
      if ((await db.run(REMEMBER_POST, [postId, authorId])) === 1) await db.run(COUNT_POST, [authorId]);
      return;
    }
    case 'PostWasPublished':
    case 'PostWasUnpublished': {
      const published = event.type === 'PostWasPublished' ? 1 : 0;
      const { postId } = event.data;
      if ((await db.run(MARK_PUBLISHED, [postId, published])) === 1) await db.run(COUNT_PUBLISHED, [postId, published === 1 ? 1 : -1]);
      return;
    }
    case 'PostWasEdited':
    case 'PostSubmittedForReview':
    case 'PostReviewStarted':
    case 'PostApproved':
    case 'PostRejected':
    case 'PostReturnedToDraft':
      return;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export const authorStatsProjection = defineProjection({
  name: 'author_stats',
  eventTypes: ['PostWasCreated', 'PostWasPublished', 'PostWasUnpublished'],
  tables: ['author_stats', 'post_authors'],
  setup: SETUP,
  handle: apply,
});
