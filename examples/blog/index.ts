// The blog: the domain every example builds on. Posts are created, edited,
// published and unpublished, directly or through an editor's review; each post is
// one stream of events. Authors (authors/) have a name and an email, personal data
// sealed under a key per author and forgotten by destroying it.

export type {
  PostEvent,
  PostWasCreated,
  PostWasEdited,
  PostWasPublished,
  PostWasUnpublished,
  PostSubmittedForReview,
  PostReviewStarted,
  PostApproved,
  PostRejected,
  PostReturnedToDraft,
  PostCompacted,
  PostStreamEvent,
} from './events.js';
export {
  POST_COMMAND_TYPES,
  postStreamId,
  type PostCommand,
  type CreatePost,
  type EditPost,
  type PublishPost,
  type UnpublishPost,
  type SubmitPostForReview,
  type ReviewPost,
  type ReviewDecision,
  type StartReview,
  type ReturnPostToDraft,
} from './commands.js';
export { initialState, POST_STATE_VERSION, POST_STATUSES, type Post, type PostState, type PostStatus, type Review } from './state.js';
export { compactedPost, evolve } from './evolve.js';
export { decide } from './decide.js';
export { postDecider } from './decider.js';
export { handlePostCommand } from './handle.js';
export { parsePostCommand, MAX_ID_LENGTH, MAX_TITLE_LENGTH, MAX_BODY_LENGTH, MAX_REASON_LENGTH } from './validation.js';
export { PostAggregate, postRepository } from './post-aggregate.js';
export { decider, POST_SNAPSHOT_SCHEMA_VERSION } from './snapshot.js';
export { blogRetentionPolicies, postRetentionFold, type BlogRetentionOptions } from './retention.js';
export {
  createReviewWorkflow,
  reviewWorkflow,
  reviewCommandHandlers,
  submitPostForReview,
  reviewPost,
  REVIEW_DEADLINE_MS,
  POST_PUBLISHED_SUBJECT,
  REVIEW_REMINDER_SUBJECT,
  type ReviewState,
  type ReviewOptions,
  type PostPublishedMessage,
  type ReviewReminderMessage,
} from './review/index.js';
export {
  AUTHOR_EVENT_TYPES,
  ERASED_NAME,
  authorDecider,
  authorPersonalData,
  authorQueries,
  authorStreamId,
  authorsProjection,
  forgetAuthor,
  handleAuthorCommand,
  newAuthorId,
  parseAuthorCommand,
  parseAuthorId,
  type AuthorCommand,
  type AuthorEvent,
  type AuthorRow,
  type AuthorState,
  type AuthorView,
  type Personal,
} from './authors/index.js';
