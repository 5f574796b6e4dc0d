// The blog's editorial review: a post submitted for review is approved (and published
// then or at a set time) or rejected (and returned to draft), and editors are reminded
// of a review not given in time. The rules are the blog's decider's; the workflow
// here drives the commands that follow one another.

export {
  createReviewWorkflow,
  reviewWorkflow,
  REVIEW_DEADLINE_MS,
  POST_PUBLISHED_SUBJECT,
  REVIEW_REMINDER_SUBJECT,
  type ReviewOptions,
  type ReviewState,
  type PostPublishedMessage,
  type ReviewReminderMessage,
} from './workflow.js';
export { reviewCommandHandlers, submitPostForReview, reviewPost } from './commands.js';
