// The blog's read side: projections that keep read models from the events, and the
// queries that answer from those read models only. The write side (commands, the
// decider, handlePostCommand) is the rest of examples/blog. `projections` is what the
// eventline CLI loads with `--projections examples/blog/read-side/index.ts`.

import { authorStatsProjection } from './author-stats.js';
import { postsProjection } from './posts.js';

export { postsProjection, type PostRow } from './posts.js';
export { authorStatsProjection, type AuthorStatsRow } from './author-stats.js';
export { postQueries, escapeLike, type ListPostsOptions, type PostQueries, type PostView, type AuthorStats } from './queries.js';
export { DEFAULT_LIMIT, MAX_LIMIT, type Page } from './paging.js';
export { postAsOf, postsAsOf, postsChangedBetween } from './as-of.js';

/** Every projection of the blog, to start together: `startProjections(store, projections)`. */
export const projections = [postsProjection, authorStatsProjection];
