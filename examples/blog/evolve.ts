// How each event changes a post. Only facts are applied here: every rule was
// checked before the event was written, so nothing in this file can refuse.

import type { PostEvent } from './events.js';
import type { Post, PostState, PostStatus } from './state.js';

export function evolve(state: PostState, event: PostEvent): PostState {
  switch (event.type) {
    case 'PostWasCreated': {
      const { postId, title, body, authorId } = event.data;
      return { status: 'draft', postId, title, body, authorId };
    }
    case 'PostWasEdited':
      return change(state, (post) => ({ ...post, title: event.data.title, body: event.data.body }));
    case 'PostWasPublished':
      return change(state, (post) => moveTo(post, 'published'));
    case 'PostWasUnpublished':
    case 'PostReturnedToDraft':
      return change(state, (post) => moveTo(post, 'draft'));
    case 'PostSubmittedForReview':
      return change(state, (post) => ({ ...moveTo(post, 'in_review'), review: {} }));
    case 'PostReviewStarted':
      return change(state, (post) => ({ ...post, review: { ...post.review, deadline: event.data.reviewDeadline } }));
    case 'PostApproved':
      return change(state, (post) => ({ ...moveTo(post, 'scheduled'), publishAt: event.data.publishAt }));
    case 'PostRejected':
      return change(state, (post) => ({ ...post, review: { ...post.review, rejection: event.data.reason } }));
    default: {
      // Adding an event to PostEvent without a case here fails to compile; an event
      // this code does not know (written by a newer version) leaves the post as it is.
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** Events after the first always find a post; a stream that says otherwise is left as it is. */
function change(state: PostState, update: (post: Post) => Post): PostState {
  return state.status === 'absent' ? state : update(state);
}

/** A new status drops what belonged to the old one (a review, a publishing time). */
function moveTo(post: Post, status: PostStatus): Post {
  const { review: _review, publishAt: _publishAt, ...rest } = post;
  return { ...rest, status };
}
