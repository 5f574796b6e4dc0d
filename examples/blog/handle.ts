// Runs a blog command on a store: the command names its post, the post names its
// stream. The command is checked first, so a bad postId is reported as postId, not
// as the stream id it would have made.

import { handleCommand, type CommandResult, type EventStore, type HandleCommandOptions } from '../../src/index.js';
import { postStreamId, type PostCommand } from './commands.js';
import { postDecider } from './decider.js';
import type { PostState } from './state.js';
import { parsePostCommand } from './validation.js';

/**
 * @example
 * await handlePostCommand(store, { type: 'PublishPost', postId: 'hello' });
 */
export async function handlePostCommand(
  store: EventStore,
  command: PostCommand,
  options?: HandleCommandOptions,
): Promise<CommandResult<PostState>> {
  const { postId } = parsePostCommand(command);
  return handleCommand(store, postStreamId(postId), postDecider, command, options);
}
