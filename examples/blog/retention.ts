// What the blog keeps, and for how long: posts left as drafts for a year go whole (to an
// archive first), and a published post's long history of edits is compacted to its
// current state. `eventline prune --policies examples/blog/retention.ts` and the Lab's
// retention panel run these.

import { days, retentionPolicy, type RetentionFold, type RetentionPolicy } from '../../src/index.js';
import { evolve } from './evolve.js';
import type { PostStreamEvent } from './events.js';
import { initialState, POST_STATE_VERSION, type PostState } from './state.js';

export interface BlogRetentionOptions {
  /** A draft untouched for longer than this (ms) is removed. Default: 365 days. */
  abandonedDraftAge?: number;
  /** A published post keeps its newest this many events; the rest become one StreamCompacted. Default: 50. */
  keptEvents?: number;
}

/** The post's fold, with the version of its state's shape: the one its snapshots carry. */
export const postRetentionFold: RetentionFold<PostState> = {
  initialState,
  evolve: (state, event) => evolve(state, event as PostStreamEvent),
  stateSchemaVersion: POST_STATE_VERSION,
};

export function blogRetentionPolicies(options: BlogRetentionOptions = {}): RetentionPolicy[] {
  const { abandonedDraftAge = days(365), keptEvents = 50 } = options;
  return [
    retentionPolicy<PostState>({
      name: 'abandoned drafts',
      category: 'post',
      when: (post, { lastRecordedAt, now }) => post.status === 'draft' && now.getTime() - lastRecordedAt.getTime() > abandonedDraftAge,
      fold: postRetentionFold,
    }),
    retentionPolicy<PostState>({
      name: 'long-lived posts',
      category: 'post',
      when: (post) => post.status === 'published',
      maxCount: keptEvents,
      fold: postRetentionFold,
    }),
  ];
}

/** The policies with their defaults, for `eventline prune --policies`. */
export const policies = blogRetentionPolicies();
