// The blog's authors: events with personal data (the name and the email), sealed under a
// key per author and forgotten by destroying it; the commands that record them; and the
// `authors` read model, which copies the name for pages and drops it when they are forgotten.

export { AUTHOR_EVENT_TYPES, type AuthorEvent, type AuthorForgotten, type AuthorProfileChanged, type AuthorRegistered, type Personal } from './events.js';
export {
  MAX_EMAIL_LENGTH,
  MAX_NAME_LENGTH,
  authorStreamId,
  newAuthorId,
  parseAuthorCommand,
  parseAuthorId,
  type AuthorCommand,
  type ChangeAuthorProfile,
  type ForgetAuthor,
  type RegisterAuthor,
} from './commands.js';
export { authorDecider, decideAuthor, evolveAuthor, handleAuthorCommand, initialAuthorState, type AuthorState } from './decider.js';
export { authorPersonalData } from './personal-data.js';
export { authorQueries, authorsProjection, ERASED_NAME, type AuthorRow, type AuthorView } from './read-model.js';
export { forgetAuthor } from './forget.js';
