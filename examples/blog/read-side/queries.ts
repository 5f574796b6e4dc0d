// The read side's questions, answered from the read models only: the published posts,
// newest first, a page at a time; an author's posts; a title search; one post; an
// author's counts. Nothing here reads an event or changes a row. Every input is
// checked first, and refused with a ValidationError naming the field.

import { createHash } from 'node:crypto';
import { ValidationError, type ReadModelStorage } from '../../../src/index.js';
import type { AuthorStatsRow } from './author-stats.js';
import { POST_STATUSES, type PostStatus } from '../state.js';
import { checkLimit, decodeCursor, pageOf, type Page } from './paging.js';
import type { PostRow } from './posts.js';

/** A post as the read side shows it. */
export interface PostView {
  postId: string;
  title: string;
  authorId: string;
  status: PostStatus;
  createdAt: Date;
  /** Null until published. */
  publishedAt: Date | null;
  /** The post's stream version this view reflects. */
  version: number;
}

export interface AuthorStats {
  authorId: string;
  posts: number;
  publishedPosts: number;
}

export interface ListPostsOptions {
  status?: PostStatus;
  authorId?: string;
  limit?: number;
  cursor?: string;
}

export interface PostQueries {
  /** Posts, drafts too unless `status` says, of one author or all, newest first; ties in post id order, descending. */
  listPosts(options?: ListPostsOptions): Promise<Page<PostView>>;
  /** Published posts, newest first; ties on the publishing time in post id order, descending. */
  publishedPosts(options?: { limit?: number; cursor?: string }): Promise<Page<PostView>>;
  /** An author's posts, drafts too, newest first. */
  postsByAuthor(options: { authorId: string; limit?: number; cursor?: string }): Promise<Page<PostView>>;
  /** Posts whose title contains `text`, ignoring case; `%` and `_` are ordinary characters. Newest first. */
  searchTitles(options: { text: string; limit?: number }): Promise<PostView[]>;
  post(postId: string): Promise<PostView | undefined>;
  authorStats(authorId: string): Promise<AuthorStats | undefined>;
}

const POST_COLUMNS = `post_id, title, title_lower, author_id, status, created_at, published_at, version`;

// Row values compare (a, b) < (x, y) in one step on both databases, and use the index.
const PUBLISHED_FIRST = `
  SELECT ${POST_COLUMNS} FROM {posts} WHERE status = 'published'
  ORDER BY published_at DESC, post_id DESC LIMIT $1`;

const PUBLISHED_AFTER = `
  SELECT ${POST_COLUMNS} FROM {posts} WHERE status = 'published' AND (published_at, post_id) < ($2, $3)
  ORDER BY published_at DESC, post_id DESC LIMIT $1`;

const BY_AUTHOR_FIRST = `
  SELECT ${POST_COLUMNS} FROM {posts} WHERE author_id = $2
  ORDER BY created_at DESC, post_id DESC LIMIT $1`;

const BY_AUTHOR_AFTER = `
  SELECT ${POST_COLUMNS} FROM {posts} WHERE author_id = $2 AND (created_at, post_id) < ($3, $4)
  ORDER BY created_at DESC, post_id DESC LIMIT $1`;

// A substring search cannot use a B-tree index; a large blog would add a full-text index.
const SEARCH = `
  SELECT ${POST_COLUMNS} FROM {posts} WHERE title_lower LIKE $2 ESCAPE '\\'
  ORDER BY created_at DESC, post_id DESC LIMIT $1`;

/**
 * listPosts with any of its filters: `status = $n`, `author_id = $n`, and after a
 * cursor `(created_at, post_id) < ($n, $m)`; `$1` is always the limit. With an author
 * the posts_by_author index serves the order, without one posts_newest.
 */
function listSql(filters: { status: boolean; author: boolean; after: boolean }): string {
  const where: string[] = [];
  let n = 1;
  if (filters.status) where.push(`status = $${++n}`);
  if (filters.author) where.push(`author_id = $${++n}`);
  if (filters.after) where.push(`(created_at, post_id) < ($${++n}, $${++n})`);
  return `
  SELECT ${POST_COLUMNS} FROM {posts}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
  ORDER BY created_at DESC, post_id DESC LIMIT $1`;
}

const ONE = `SELECT ${POST_COLUMNS} FROM {posts} WHERE post_id = $1`;

const AUTHOR = `SELECT author_id, posts, published_posts FROM {author_stats} WHERE author_id = $1`;

/**
 * @example
 * const queries = postQueries(store.readModels);
 * const first = await queries.publishedPosts({ limit: 10 });
 * const second = await queries.publishedPosts({ limit: 10, cursor: first.nextCursor! });
 */
export function postQueries(readModels: ReadModelStorage): PostQueries {
  const tables = { posts: readModels.table('posts'), author_stats: readModels.table('author_stats') };
  const all = (sql: string, params: (string | number)[]) => readModels.transaction(tables, (db) => db.all<PostRow>(sql, params));

  return {
    async listPosts(options = {}) {
      const status = options.status === undefined ? undefined : checkStatus(options.status);
      const authorId = options.authorId === undefined ? undefined : id(options.authorId, 'authorId');
      const size = checkLimit(options.limit);
      // The filters are part of the cursor's kind, so a cursor only continues the list it
      // came from; hashed, so a long author id cannot push the cursor over its length limit.
      const kind = `list:${createHash('sha256').update(JSON.stringify([status ?? null, authorId ?? null])).digest('base64url').slice(0, 16)}`;
      const after = decodeCursor(kind, options.cursor);
      const sql = listSql({ status: status !== undefined, author: authorId !== undefined, after: after !== undefined });
      const params: (string | number)[] = [size + 1];
      if (status !== undefined) params.push(status);
      if (authorId !== undefined) params.push(authorId);
      if (after !== undefined) params.push(after.value, after.postId);
      return pageOf(await all(sql, params), size, toView, (row) => ({ value: Number(row.created_at), postId: row.post_id }), kind);
    },

    async publishedPosts({ limit, cursor } = {}) {
      const size = checkLimit(limit);
      const after = decodeCursor('published', cursor);
      const rows = after === undefined ? await all(PUBLISHED_FIRST, [size + 1]) : await all(PUBLISHED_AFTER, [size + 1, after.value, after.postId]);
      return pageOf(rows, size, toView, (row) => ({ value: Number(row.published_at), postId: row.post_id }), 'published');
    },

    async postsByAuthor(options) {
      const authorId = id(options?.authorId, 'authorId');
      const size = checkLimit(options.limit);
      const kind = `author:${authorId}`;
      const after = decodeCursor(kind, options.cursor);
      const rows = after === undefined
        ? await all(BY_AUTHOR_FIRST, [size + 1, authorId])
        : await all(BY_AUTHOR_AFTER, [size + 1, authorId, after.value, after.postId]);
      return pageOf(rows, size, toView, (row) => ({ value: Number(row.created_at), postId: row.post_id }), kind);
    },

    async searchTitles(options) {
      const text = options?.text;
      if (typeof text !== 'string' || text.trim() === '') throw new ValidationError('text', 'must be some text to look for in titles');
      const size = checkLimit(options.limit);
      return (await all(SEARCH, [size, `%${escapeLike(text.toLowerCase())}%`])).map(toView);
    },

    async post(postId) {
      const rows = await all(ONE, [id(postId, 'postId')]);
      return rows[0] && toView(rows[0]);
    },

    async authorStats(authorId) {
      const row = await readModels.transaction(tables, (db) => db.get<AuthorStatsRow>(AUTHOR, [id(authorId, 'authorId')]));
      return row && { authorId: row.author_id, posts: Number(row.posts), publishedPosts: Number(row.published_posts) };
    },
  };
}

/** LIKE treats %, _ and the escape character as special; the user's text means them literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function checkStatus(value: unknown): PostStatus {
  if (!(POST_STATUSES as readonly unknown[]).includes(value)) {
    throw new ValidationError('status', `must be one of ${POST_STATUSES.join(', ')}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value as PostStatus;
}

function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new ValidationError(field, 'must be a non-empty string');
  return value;
}

function toView(row: PostRow): PostView {
  return {
    postId: row.post_id,
    title: row.title,
    authorId: row.author_id,
    status: row.status,
    createdAt: new Date(Number(row.created_at)),
    publishedAt: row.published_at === null ? null : new Date(Number(row.published_at)),
    version: Number(row.version),
  };
}
