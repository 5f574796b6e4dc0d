// The review's commands on a store: the two a person sends (submit, review) and the
// handlers of the three the workflow sends. A handler passes the workflow's command
// id on, so a command sent again after a crash finds its events in the stream and
// changes nothing.

import type { CommandHandler, CommandResult, EventStore, HandleCommandOptions } from '../../../src/index.js';
import type { PostCommand, ReviewPost } from '../commands.js';
import { handlePostCommand } from '../handle.js';
import type { PostState } from '../state.js';

/** The handlers of StartReview, ReturnPostToDraft and PublishPost, for startWorkflows' `commands`. */
export function reviewCommandHandlers(store: EventStore): Record<string, CommandHandler> {
  // The command's shape is checked by the blog's parser, as any command arriving as JSON.
  const handle: CommandHandler = (command, { commandId }) => handlePostCommand(store, command as unknown as PostCommand, { commandId });
  return { StartReview: handle, ReturnPostToDraft: handle, PublishPost: handle };
}

/**
 * @example
 * await submitPostForReview(store, 'hello'); // PostSubmittedForReview: the review workflow takes it from here
 */
export function submitPostForReview(store: EventStore, postId: string, options?: HandleCommandOptions): Promise<CommandResult<PostState>> {
  return handlePostCommand(store, { type: 'SubmitPostForReview', postId }, options);
}

/**
 * @example
 * await reviewPost(store, { postId: 'hello', decision: 'approve', publishAt: '2026-05-01T09:00:00Z' });
 * await reviewPost(store, { postId: 'other', decision: 'reject', reason: 'Needs a source for the figures.' });
 */
export function reviewPost(store: EventStore, review: Omit<ReviewPost, 'type'>, options?: HandleCommandOptions): Promise<CommandResult<PostState>> {
  return handlePostCommand(store, { ...review, type: 'ReviewPost' }, options);
}
