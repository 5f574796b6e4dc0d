// What each command decides: check its shape, apply the rules that guard it, and
// name the events that record it. Pure: the same command on the same state always
// decides the same, so every rule can be tested without a store.

import type { CreatePost, EditPost, PostCommand, PublishPost, UnpublishPost } from './commands.js';
import type { PostEvent } from './events.js';
import { assertEditChangesSomething, assertIsDraft, assertIsPublished, assertPostExists, assertPostIsNew } from './rules.js';
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
  assertIsDraft(state);
  return [{ type: 'PostWasPublished', data: { postId } }];
}

function unpublishPost({ postId }: UnpublishPost, state: PostState): PostEvent[] {
  assertPostExists(state);
  assertIsPublished(state);
  return [{ type: 'PostWasUnpublished', data: { postId } }];
}
