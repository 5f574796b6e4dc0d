// The facts of the blog, named in the past tense: once appended they are never
// changed, and a post's state is whatever they add up to.

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

/** Carries the title and author, so the review workflow needs no other read to say whose post it is. */
export interface PostSubmittedForReview {
  type: 'PostSubmittedForReview';
  data: { postId: string; title: string; authorId: string };
}

/** `reviewDeadline` is an ISO time: a reviewer who has not answered by then is reminded. */
export interface PostReviewStarted {
  type: 'PostReviewStarted';
  data: { postId: string; reviewDeadline: string };
}

/** `publishAt` is an ISO time, or null for as soon as possible. */
export interface PostApproved {
  type: 'PostApproved';
  data: { postId: string; publishAt: string | null };
}

/** Closes the review; the post stays in review until it is returned to draft. */
export interface PostRejected {
  type: 'PostRejected';
  data: { postId: string; reason: string };
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
