// The blog's `posts` read model (examples/blog/read-side/posts.ts) in plain SQL, for the
// stores that run it without Eventline: the P1 floors and Emmett's projections. The table,
// its indexes and the two statements P1's events run are the projection's own, with `?`
// placeholders in the order of their values.

/** The table and its three indexes, one statement each. */
export function postsSetup(table: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (post_id TEXT PRIMARY KEY, title TEXT NOT NULL, title_lower TEXT NOT NULL,
       author_id TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL, published_at BIGINT, version INTEGER NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS posts_published ON ${table} (status, published_at, post_id)`,
    `CREATE INDEX IF NOT EXISTS posts_by_author ON ${table} (author_id, created_at, post_id)`,
    `CREATE INDEX IF NOT EXISTS posts_newest ON ${table} (created_at, post_id)`,
  ];
}

/** PostWasCreated: post_id, title, title_lower, author_id, created_at, version. */
export const createPost = (table: string) => `INSERT INTO ${table} (post_id, title, title_lower, author_id, status, created_at, published_at, version)
  VALUES (?, ?, ?, ?, 'draft', ?, NULL, ?) ON CONFLICT (post_id) DO NOTHING`;

/** PostWasEdited: title, title_lower, version, post_id, version (a replayed edit changes nothing). */
export const editPost = (table: string) => `UPDATE ${table} SET title = ?, title_lower = ?, version = ? WHERE post_id = ? AND version < ?`;

/** Which of the two statements an event runs, and its values; undefined for an event `posts` ignores. */
export function postWrite(
  type: string,
  data: { postId: string; title: string; authorId?: string },
  version: number,
  recordedMs: number,
): { create: boolean; values: (string | number)[] } | undefined {
  if (type === 'PostWasCreated') return { create: true, values: [data.postId, data.title, data.title.toLowerCase(), data.authorId!, recordedMs, version] };
  if (type === 'PostWasEdited') return { create: false, values: [data.title, data.title.toLowerCase(), version, data.postId, version] };
  return undefined;
}
