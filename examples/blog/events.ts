// The facts of the blog, named in the past tense: once appended they are never
// changed, and a post's state is whatever they add up to.

import type { StreamCompacted } from '../../src/index.js';
import type { PostState } from './state.js';

export interface PostWasCreated {
  type: 'PostWasCreated';
  data: { postId: string; title: string; body: string; authorId: string };
}

/** Carries the whole new title and body, so a reader never needs the previous event. */
export interface PostWasEdited {
  type: 'PostWasEdited';
  data: { postId: string; title: string; body: string };
}

export interface PostWasPublished {
  type: 'PostWasPublished';
  data: { postId: string };
}

export interface PostWasUnpublished {
  type: 'PostWasUnpublished';
  data: { postId: string };
}

/**
 * Carries the title and author, so the review workflow needs no other read to say whose
 * post it is. `review` counts the post's reviews from 1: a post rejected and submitted
 * again gets a review of its own.
 */
export interface PostSubmittedForReview {
  type: 'PostSubmittedForReview';
  data: { postId: string; title: string; authorId: string; review: number };
}

/** `reviewDeadline` is an ISO time: a reviewer who has not answered by then is reminded. */
export interface PostReviewStarted {
  type: 'PostReviewStarted';
  data: { postId: string; reviewDeadline: string };
}

/** `publishAt` is an ISO time, or null for as soon as possible. */
export interface PostApproved {
  type: 'PostApproved';
  data: { postId: string; publishAt: string | null; review: number };
}

/** Closes the review; the post stays in review until it is returned to draft. */
export interface PostRejected {
  type: 'PostRejected';
  data: { postId: string; reason: string; review: number };
}

/** The post is a draft again, with the reason it came back. */
export interface PostReturnedToDraft {
  type: 'PostReturnedToDraft';
  data: { postId: string; reason: string };
}

export type PostEvent =
  | PostWasCreated
  | PostWasEdited
  | PostWasPublished
  | PostWasUnpublished
  | PostSubmittedForReview
  | PostReviewStarted
  | PostApproved
  | PostRejected
  | PostReturnedToDraft;

/**
 * Not a fact of the blog but of its store: a prune that removed the first events of a
 * post's stream left this one after them, carrying the state they added up to
 * (docs/retention.md). `stateSchemaVersion` is the shape of that state.
 */
export interface PostCompacted {
  type: 'StreamCompacted';
  data: StreamCompacted<PostState>;
}

/** Every event a post's stream may hold: the blog's facts, and the store's compactions. */
export type PostStreamEvent = PostEvent | PostCompacted;
