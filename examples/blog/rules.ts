// The blog's business rules, one function each. A rule that fails throws a typed
// error (DomainError, or NotFoundError for a missing post) and no event is written.

import { DomainError, NotFoundError } from '../../src/index.js';
import type { Post, PostState } from './state.js';

export function assertPostIsNew(state: PostState): void {
  if (state.status !== 'absent') throw new DomainError('Post already exists');
}

export function assertPostExists(state: PostState): asserts state is Post {
  if (state.status === 'absent') throw new NotFoundError('Post does not exist');
}

export function assertIsDraft(post: Post): void {
  if (post.status === 'published') throw new DomainError('Post is already published');
}

export function assertIsPublished(post: Post): void {
  if (post.status !== 'published') throw new DomainError('Post is not published');
}

/** An edit that changes nothing would only add noise to the post's history. */
export function assertEditChangesSomething(post: Post, title: string, body: string): void {
  if (title === post.title && body === post.body) throw new DomainError('Edit changes nothing');
}
