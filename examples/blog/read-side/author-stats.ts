// The `author_stats` read model: how many posts each author has, and how many are
// published. A PostWasPublished event names only its post, so the projection keeps a
// table of its own, `post_authors`, to remember whose post it is and whether it is
// already counted as published.

import { defineProjection, STREAM_COMPACTED, STREAMS_REMOVED, type RecordedEvent, type ReadModelDb, type StreamsRemoved } from '../../../src/index.js';
import { postIdsOf } from '../commands.js';
import type { PostStreamEvent } from '../events.js';
import { compactedPost } from '../evolve.js';

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

// A post a prune removed whole counts no more.
const COUNTED_POST = `SELECT author_id AS "authorId", published FROM {post_authors} WHERE post_id = $1`;
const UNCOUNT_POST = `UPDATE {author_stats} SET posts = posts - 1, published_posts = published_posts - $2 WHERE author_id = $1`;
const FORGET_POST = `DELETE FROM {post_authors} WHERE post_id = $1`;

async function apply(recorded: RecordedEvent, db: ReadModelDb): Promise<void> {
  if (recorded.type === STREAMS_REMOVED) {
    for (const postId of postIdsOf((recorded.data as StreamsRemoved).streams)) await uncountPost(db, postId);
    return;
  }
  const event = recorded as RecordedEvent & PostStreamEvent;
  switch (event.type) {
    case 'PostWasCreated':
      return countPost(db, event.data.postId, event.data.authorId);
    case 'PostWasPublished':
    case 'PostWasUnpublished':
      return countPublished(db, event.data.postId, event.type === 'PostWasPublished');
    case STREAM_COMPACTED: {
      // The post as its pruned events left it: counted once, published or not as it is now.
      const post = compactedPost(recorded.streamId, event);
      if (post === undefined) return;
      await countPost(db, post.postId, post.authorId);
      return countPublished(db, post.postId, post.status === 'published');
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

async function countPost(db: ReadModelDb, postId: string, authorId: string): Promise<void> {
  if ((await db.run(REMEMBER_POST, [postId, authorId])) === 1) await db.run(COUNT_POST, [authorId]);
}

async function uncountPost(db: ReadModelDb, postId: string): Promise<void> {
  const counted = await db.get<{ authorId: string; published: number | string }>(COUNTED_POST, [postId]);
  if (counted === undefined) return;
  await db.run(UNCOUNT_POST, [counted.authorId, Number(counted.published)]);
  await db.run(FORGET_POST, [postId]);
}

async function countPublished(db: ReadModelDb, postId: string, published: boolean): Promise<void> {
  if ((await db.run(MARK_PUBLISHED, [postId, published ? 1 : 0])) === 1) await db.run(COUNT_PUBLISHED, [postId, published ? 1 : -1]);
}

export const authorStatsProjection = defineProjection({
  name: 'author_stats',
  eventTypes: ['PostWasCreated', 'PostWasPublished', 'PostWasUnpublished', STREAM_COMPACTED, STREAMS_REMOVED],
  tables: ['author_stats', 'post_authors'],
  setup: SETUP,
  handle: apply,
});
