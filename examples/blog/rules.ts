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

/** A draft is published directly; a scheduled post when its review's time comes. */
export function assertMayBePublished(post: Post): void {
  if (post.status === 'published') throw new DomainError('Post is already published');
  if (post.status === 'in_review') throw new DomainError('Post is in review');
}

export function assertIsPublished(post: Post): void {
  if (post.status !== 'published') throw new DomainError('Post is not published');
}

export function assertMayBeSubmitted(post: Post): void {
  if (post.status !== 'draft') throw new DomainError('Only a draft can be submitted for review');
}

/** The review's own steps (its start, the return to draft) need the post in review. */
export function assertInReview(post: Post): void {
  if (post.status !== 'in_review') throw new DomainError('Post is not in review');
}

/** A review takes one answer: after a rejection it is closed, though the post is still in review. */
export function assertReviewIsOpen(post: Post): void {
  assertInReview(post);
  if (post.review?.rejection !== undefined) throw new DomainError('Post was already reviewed');
}

/** An edit that changes nothing would only add noise to the post's history. */
export function assertEditChangesSomething(post: Post, title: string, body: string): void {
  if (title === post.title && body === post.body) throw new DomainError('Edit changes nothing');
}
