// How each event changes a post. Only facts are applied here: every rule was
// checked before the event was written, so nothing in this file refuses one. The one
// refusal is a compaction of a state shape this code does not know.

import { compactingEvolve } from '../../src/index.js';
import { isPostStream } from './commands.js';
import type { PostCompacted, PostEvent, PostStreamEvent } from './events.js';
import { initialState, POST_STATE_VERSION, type Post, type PostState, type PostStatus } from './state.js';

/**
 * The post after one more event of its stream. A StreamCompacted event (the first
 * events were pruned) replaces the state with the one it carries, which they added up
 * to; one of another POST_STATE_VERSION is refused with a ValidationError rather than
 * misread.
 */
export function evolve(state: PostState, event: PostStreamEvent): PostState {
  return withCompactions(state, event);
}

/**
 * The post a StreamCompacted event of `streamId` carries, checked as the post's fold
 * checks it; undefined when the stream is not a post's (its state is not a post's
 * either) or holds no post.
 */
export function compactedPost(streamId: string, event: PostCompacted): Post | undefined {
  if (!isPostStream(streamId)) return undefined;
  const post = withCompactions(initialState(), event);
  return post.status === 'absent' ? undefined : post;
}

const withCompactions = compactingEvolve({ initialState, evolve: (state: PostState, event) => applyFact(state, event as PostEvent), stateSchemaVersion: POST_STATE_VERSION });

function applyFact(state: PostState, event: PostEvent): PostState {
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
      return change(state, (post) => ({ ...moveTo(post, 'in_review'), review: {}, reviews: event.data.review ?? (post.reviews ?? 0) + 1 }));
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
