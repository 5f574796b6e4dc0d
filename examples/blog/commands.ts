// What someone asks of the blog, named in the imperative. A command may be refused;
// an event, once written, has happened.

export interface CreatePost {
  type: 'CreatePost';
  postId: string;
  title: string;
  body: string;
  authorId: string;
}

/** Gives a new title, a new body, or both. */
export interface EditPost {
  type: 'EditPost';
  postId: string;
  title?: string;
  body?: string;
}

export interface PublishPost {
  type: 'PublishPost';
  postId: string;
}

export interface UnpublishPost {
  type: 'UnpublishPost';
  postId: string;
}

/** Asks for an editor's review: only a draft may be submitted. */
export interface SubmitPostForReview {
  type: 'SubmitPostForReview';
  postId: string;
}

export type ReviewDecision = 'approve' | 'reject';

/**
 * An editor's answer to a review. Approving schedules the post, to be published at
 * `publishAt` (an ISO time) or, without one, at once; rejecting needs a `reason`.
 */
export interface ReviewPost {
  type: 'ReviewPost';
  postId: string;
  decision: ReviewDecision;
  reason?: string;
  publishAt?: string;
}

/** Sent by the review workflow: the review is open until `reviewDeadline` (an ISO time). */
export interface StartReview {
  type: 'StartReview';
  postId: string;
  reviewDeadline: string;
}

/** Sent by the review workflow to undo StartReview once the review rejected the post. */
export interface ReturnPostToDraft {
  type: 'ReturnPostToDraft';
  postId: string;
}

export type PostCommand =
  | CreatePost
  | EditPost
  | PublishPost
  | UnpublishPost
  | SubmitPostForReview
  | ReviewPost
  | StartReview
  | ReturnPostToDraft;

export const POST_COMMAND_TYPES = [
  'CreatePost',
  'EditPost',
  'PublishPost',
  'UnpublishPost',
  'SubmitPostForReview',
  'ReviewPost',
  'StartReview',
  'ReturnPostToDraft',
] as const;

/** Every post is one stream. */
export function postStreamId(postId: string): string {
  return `post-${postId}`;
}

/** Whether a stream is a post's: other categories' events may share a type with the blog's (StreamCompacted). */
export function isPostStream(streamId: string): boolean {
  return streamId.startsWith('post-');
}

/** The post ids of the post streams among `streamIds` (a prune's StreamsRemoved names every category's). */
export function postIdsOf(streamIds: readonly string[]): string[] {
  return streamIds.filter(isPostStream).map((streamId) => streamId.slice('post-'.length));
}
