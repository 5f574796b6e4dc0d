// What each command decides: check its shape, apply the rules that guard it, and
// name the events that record it. Pure: the same command on the same state always
// decides the same, so every rule can be tested without a store.

import type { CreatePost, EditPost, PostCommand, PublishPost, ReturnPostToDraft, ReviewPost, StartReview, SubmitPostForReview, UnpublishPost } from './commands.js';
import type { PostEvent } from './events.js';
import {
  assertEditChangesSomething,
  assertInReview,
  assertIsPublished,
  assertMayBePublished,
  assertMayBeSubmitted,
  assertPostExists,
  assertPostIsNew,
  assertReviewIsOpen,
} from './rules.js';
import type { PostState } from './state.js';
import { parsePostCommand } from './validation.js';

export function decide(input: PostCommand, state: PostState): PostEvent[] {
  // Typed callers cannot get the shape wrong, but commands also arrive as JSON.
  const command = parsePostCommand(input);
  switch (command.type) {
    case 'CreatePost':
      return createPost(command, state);
    case 'EditPost':
      return editPost(command, state);
    case 'PublishPost':
      return publishPost(command, state);
    case 'UnpublishPost':
      return unpublishPost(command, state);
    case 'SubmitPostForReview':
      return submitForReview(command, state);
    case 'ReviewPost':
      return reviewPost(command, state);
    case 'StartReview':
      return startReview(command, state);
    case 'ReturnPostToDraft':
      return returnToDraft(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`unhandled command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function createPost({ postId, title, body, authorId }: CreatePost, state: PostState): PostEvent[] {
  assertPostIsNew(state);
  return [{ type: 'PostWasCreated', data: { postId, title, body, authorId } }];
}

function editPost(command: EditPost, state: PostState): PostEvent[] {
  assertPostExists(state);
  const title = command.title ?? state.title;
  const body = command.body ?? state.body;
  assertEditChangesSomething(state, title, body);
  return [{ type: 'PostWasEdited', data: { postId: command.postId, title, body } }];
}

function publishPost({ postId }: PublishPost, state: PostState): PostEvent[] {
  assertPostExists(state);
  assertMayBePublished(state);
  return [{ type: 'PostWasPublished', data: { postId } }];
}

function unpublishPost({ postId }: UnpublishPost, state: PostState): PostEvent[] {
  assertPostExists(state);
  assertIsPublished(state);
  return [{ type: 'PostWasUnpublished', data: { postId } }];
}

function submitForReview({ postId }: SubmitPostForReview, state: PostState): PostEvent[] {
  assertPostExists(state);
  assertMayBeSubmitted(state);
  return [{ type: 'PostSubmittedForReview', data: { postId, title: state.title, authorId: state.authorId } }];
}

function reviewPost(command: ReviewPost, state: PostState): PostEvent[] {
  assertPostExists(state);
  assertReviewIsOpen(state);
  const { postId } = command;
  if (command.decision === 'approve') return [{ type: 'PostApproved', data: { postId, publishAt: command.publishAt ?? null } }];
  // Validation makes sure a rejection has its reason.
  return [{ type: 'PostRejected', data: { postId, reason: command.reason! } }];
}

function startReview({ postId, reviewDeadline }: StartReview, state: PostState): PostEvent[] {
  assertPostExists(state);
  assertInReview(state);
  return [{ type: 'PostReviewStarted', data: { postId, reviewDeadline } }];
}

function returnToDraft({ postId }: ReturnPostToDraft, state: PostState): PostEvent[] {
  assertPostExists(state);
  assertInReview(state);
  return [{ type: 'PostReturnedToDraft', data: { postId, reason: state.review?.rejection ?? 'The review was withdrawn' } }];
}
