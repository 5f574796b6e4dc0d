// The `posts` read model: one row per post, changed by each of its events. Written
// once in portable SQL (TEXT, INTEGER, BIGINT milliseconds, no booleans), so the same
// projection runs on memory, SQLite and PostgreSQL.

import { defineProjection, STREAM_COMPACTED, STREAMS_REMOVED, type RecordedEvent, type ReadModelDb, type StreamsRemoved } from '../../../src/index.js';
import { postIdsOf } from '../commands.js';
import type { PostStreamEvent } from '../events.js';
import { compactedPost } from '../evolve.js';
import type { PostStatus } from '../state.js';

/** A row of `posts` as SQL returns it. */
export interface PostRow {
  post_id: string;
  title: string;
  /** The title in lower case, folded here so a search matches alike on every store (SQLite's LOWER folds ASCII only). */
  title_lower: string;
  author_id: string;
  status: PostStatus;
  /** Milliseconds since the epoch. */
  created_at: number;
  /** Milliseconds since the epoch; null until published. */
  published_at: number | null;
  /** The post's stream version this row reflects. */
  version: number;
}

const SETUP = `
  CREATE TABLE IF NOT EXISTS {posts} (
    post_id      TEXT    PRIMARY KEY,
    title        TEXT    NOT NULL,
    title_lower  TEXT    NOT NULL,
    author_id    TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    published_at BIGINT,
    version      INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS {posts_published} ON {posts} (status, published_at, post_id);
  CREATE INDEX IF NOT EXISTS {posts_by_author} ON {posts} (author_id, created_at, post_id);
  CREATE INDEX IF NOT EXISTS {posts_newest} ON {posts} (created_at, post_id)`;

// Each change is guarded by the stream version, so an event applied twice (a replay
// over rows that already have it) changes nothing.
const CREATE = `
  INSERT INTO {posts} (post_id, title, title_lower, author_id, status, created_at, published_at, version)
  VALUES ($1, $2, $3, $4, 'draft', $5, NULL, $6)
  ON CONFLICT (post_id) DO NOTHING`;

const EDIT = `
  UPDATE {posts} SET title = $2, title_lower = $3, version = $4
  WHERE post_id = $1 AND version < $4`;

const PUBLISH = `
  UPDATE {posts} SET status = 'published', published_at = $2, version = $3
  WHERE post_id = $1 AND version < $3`;

const UNPUBLISH = `
  UPDATE {posts} SET status = 'draft', published_at = NULL, version = $2
  WHERE post_id = $1 AND version < $2`;

// A review moves a post between draft, in_review and scheduled; none of them is published.
const MOVE = `
  UPDATE {posts} SET status = $2, version = $3
  WHERE post_id = $1 AND version < $3`;

// A compaction carries the whole post: a rebuild after a prune makes its row from it,
// and a row that exists keeps its times. The events that dated a new row were pruned,
// so it takes the compaction's time as its creation (and publishing) time.
const COMPACTED = `
  INSERT INTO {posts} (post_id, title, title_lower, author_id, status, created_at, published_at, version)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (post_id) DO UPDATE SET
    title = excluded.title, title_lower = excluded.title_lower, author_id = excluded.author_id, status = excluded.status,
    published_at = CASE WHEN excluded.status = 'published' THEN COALESCE({posts}.published_at, excluded.published_at) END,
    version = excluded.version
  WHERE {posts}.version < excluded.version`;

// A prune removed these posts' streams whole (abandoned drafts): their rows go too.
const REMOVE = `DELETE FROM {posts} WHERE post_id = $1`;

// No write needs its result, so each is deferred: on PostgreSQL a whole batch of them
// then travels to the server in one round trip.
function apply(recorded: RecordedEvent, db: ReadModelDb): void {
  if (recorded.type === STREAMS_REMOVED) {
    for (const postId of postIdsOf((recorded.data as StreamsRemoved).streams)) db.defer(REMOVE, [postId]);
    return;
  }
  const event = recorded as RecordedEvent & PostStreamEvent;
  const at = recorded.recordedAt.getTime();
  switch (event.type) {
    case 'PostWasCreated': {
      const { postId, title, authorId } = event.data;
      db.defer(CREATE, [postId, title, title.toLowerCase(), authorId, at, recorded.version]);
      return;
    }
    case 'PostWasEdited': {
      const { postId, title } = event.data;
      db.defer(EDIT, [postId, title, title.toLowerCase(), recorded.version]);
      return;
    }
    case 'PostWasPublished':
      db.defer(PUBLISH, [event.data.postId, at, recorded.version]);
      return;
    case 'PostWasUnpublished':
      db.defer(UNPUBLISH, [event.data.postId, recorded.version]);
      return;
    case 'PostSubmittedForReview':
      db.defer(MOVE, [event.data.postId, 'in_review', recorded.version]);
      return;
    case 'PostApproved':
      db.defer(MOVE, [event.data.postId, 'scheduled', recorded.version]);
      return;
    case 'PostReturnedToDraft':
      db.defer(MOVE, [event.data.postId, 'draft', recorded.version]);
      return;
    case 'PostReviewStarted':
    case 'PostRejected':
      // The status stays in_review; the row's version moves only with the events it shows.
      return;
    case STREAM_COMPACTED: {
      const post = compactedPost(recorded.streamId, event);
      if (post === undefined) return;
      const { postId, title, authorId, status } = post;
      db.defer(COMPACTED, [postId, title, title.toLowerCase(), authorId, status, at, status === 'published' ? at : null, recorded.version]);
      return;
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export const postsProjection = defineProjection({
  name: 'posts',
  // Version 2 added posts_newest; version 3 the review's statuses (in_review, scheduled).
  // A store built by an older version rebuilds once.
  version: 3,
  eventTypes: ['PostWasCreated', 'PostWasEdited', 'PostWasPublished', 'PostWasUnpublished', 'PostSubmittedForReview', 'PostApproved', 'PostReturnedToDraft', STREAM_COMPACTED, STREAMS_REMOVED],
  tables: ['posts'],
  indexes: ['posts_published', 'posts_by_author', 'posts_newest'],
  setup: SETUP,
  handle: apply,
});
