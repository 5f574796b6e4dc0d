// The blog: the domain every example builds on. Posts are created, edited,
// published and unpublished; each post is one stream of events.

export type { PostEvent, PostWasCreated, PostWasEdited, PostWasPublished, PostWasUnpublished } from './events.js';
export {
  POST_COMMAND_TYPES,
  postStreamId,
  type PostCommand,
  type CreatePost,
  type EditPost,
  type PublishPost,
  type UnpublishPost,
} from './commands.js';
export { initialState, type Post, type PostState } from './state.js';
export { evolve } from './evolve.js';
export { decide } from './decide.js';
export { postDecider } from './decider.js';
export { handlePostCommand } from './handle.js';
export { parsePostCommand, MAX_ID_LENGTH, MAX_TITLE_LENGTH, MAX_BODY_LENGTH } from './validation.js';
export { PostAggregate, postRepository } from './post-aggregate.js';
export { decider, POST_SNAPSHOT_SCHEMA_VERSION } from './snapshot.js';
