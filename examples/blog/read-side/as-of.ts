// The blog as it was: one post folded from its stream up to a point, the whole
// `posts` read model replayed up to a point (never touching the live table), and
// what changed between two points. Points are positions in the log or times.

import { diffRows, projectionAsOf, stateAsOf, type AsOf, type EventStore, type RowDiff, type TableAsOf } from '../../../src/index.js';
import { postStreamId } from '../commands.js';
import { postDecider } from '../decider.js';
import type { PostState } from '../state.js';
import { postsProjection } from './posts.js';

/** The post's state as of `at`, with the version and position of its last event by then. */
export async function postAsOf(store: EventStore, postId: string, at: AsOf): Promise<{ state: PostState; version: number; position: number }> {
  return stateAsOf(store, postStreamId(postId), postDecider, at);
}

/** The rows of `posts` as of `at`, ordered by post id. */
export async function postsAsOf(store: EventStore, at: AsOf): Promise<TableAsOf> {
  return projectionAsOf(store, postsProjection, at, { table: 'posts' });
}

/** The posts added, removed and changed between two points. */
export async function postsChangedBetween(store: EventStore, from: AsOf, to: AsOf): Promise<RowDiff> {
  const [before, after] = await Promise.all([postsAsOf(store, from), postsAsOf(store, to)]);
  return diffRows(before.rows, after.rows, 'post_id');
}
