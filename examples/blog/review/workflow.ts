// The editorial review as a workflow: one instance per post submitted for review,
// its stream `workflow-review-<postId>`. It starts the review with a deadline (and
// can undo that), reminds the editors once when the deadline passes, publishes the
// post when it is approved, at the time the approval names, and tells other systems
// through the outbox when a post is published.

import {
  cancel,
  compensate,
  complete,
  defineWorkflow,
  fail,
  publish,
  schedule,
  send,
  type CommandDoneData,
  type CommandSentData,
  type TimerFiredData,
  type Workflow,
  type WorkflowEvent,
  type WorkflowInput,
  type WorkflowOutput,
} from '../../../src/index.js';
import type { PostApproved, PostRejected, PostSubmittedForReview } from '../events.js';

/** How long editors have to review a post before they are reminded: 48 hours. */
export const REVIEW_DEADLINE_MS = 48 * 60 * 60 * 1000;

/** The outbox subject of a post published through its review. */
export const POST_PUBLISHED_SUBJECT = 'blog.posts.published';
/** The outbox subject of a reminder that a review is overdue. */
export const REVIEW_REMINDER_SUBJECT = 'blog.reviews.reminders';

export interface PostPublishedMessage {
  postId: string;
  title: string;
  authorId: string;
  /** ISO time, by the workflows' clock. */
  publishedAt: string;
}

export interface ReviewReminderMessage {
  postId: string;
  /** ISO time, by the workflows' clock. */
  submittedAt: string;
}

export interface ReviewOptions {
  /** Default REVIEW_DEADLINE_MS. */
  reviewDeadlineMs?: number;
}

/** What an instance remembers: the post, and the commands it sent that it waits on. */
export interface ReviewState {
  postId: string | null;
  title: string | null;
  authorId: string | null;
  /** StartReview's command id and what became of it. */
  startReview: { commandId: string; outcome: 'pending' | 'succeeded' | 'rejected' } | null;
  /** PublishPost's command id, once sent. */
  publishCommandId: string | null;
  /** The rejection's reason, when the review rejected the post. */
  rejection: string | null;
}

type ReviewInput =
  | WorkflowInput<'PostSubmittedForReview', PostSubmittedForReview['data']>
  | WorkflowInput<'PostApproved', PostApproved['data']>
  | WorkflowInput<'PostRejected', PostRejected['data']>
  | WorkflowInput<'TimerFired', TimerFiredData>
  | WorkflowInput<'WorkflowCommandDone', CommandDoneData>;

const REMINDER = 'reminder';
const PUBLISH = 'publish';

/**
 * @example
 * const workflows = startWorkflows(store, [createReviewWorkflow({ reviewDeadlineMs: 24 * 3600_000 })], {
 *   commands: reviewCommandHandlers(store),
 * });
 */
export function createReviewWorkflow(options: ReviewOptions = {}): Workflow<ReviewState> {
  const deadlineMs = options.reviewDeadlineMs ?? REVIEW_DEADLINE_MS;
  return defineWorkflow<ReviewState, ReviewInput>({
    name: 'review',
    inputs: ['PostSubmittedForReview', 'PostApproved', 'PostRejected'],
    startedBy: ['PostSubmittedForReview'],
    correlate: (event) => {
      const postId = (event.data as { postId?: unknown } | null)?.postId;
      return typeof postId === 'string' ? postId : null;
    },
    initialState: () => ({ postId: null, title: null, authorId: null, startReview: null, publishCommandId: null, rejection: null }),
    evolve,
    decide(input, state, { now }): WorkflowOutput[] {
      switch (input.type) {
        case 'PostSubmittedForReview': {
          const { postId } = input.data;
          const reviewDeadline = new Date(now.getTime() + deadlineMs).toISOString();
          return [
            send({ type: 'StartReview', postId, reviewDeadline }, { compensation: { type: 'ReturnPostToDraft', postId } }),
            schedule({ name: REMINDER, after: deadlineMs, payload: { submittedAt: now.toISOString() } }),
          ];
        }
        case 'PostApproved': {
          const { postId, publishAt } = input.data;
          if (publishAt !== null && Date.parse(publishAt) > now.getTime()) return [cancel(REMINDER), schedule({ name: PUBLISH, at: publishAt })];
          return [cancel(REMINDER), send({ type: 'PublishPost', postId })];
        }
        case 'PostRejected':
          // Compensating undoes the steps that succeeded; until StartReview has, wait for it.
          return state.startReview?.outcome === 'pending' ? [cancel(REMINDER)] : [cancel(REMINDER), compensate(input.data.reason)];
        case 'TimerFired': {
          const postId = state.postId!;
          if (input.data.name === PUBLISH) return [send({ type: 'PublishPost', postId })];
          const { submittedAt } = input.data.payload as { submittedAt: string };
          const reminder: ReviewReminderMessage = { postId, submittedAt };
          return [publish(REVIEW_REMINDER_SUBJECT, reminder)];
        }
        case 'WorkflowCommandDone': {
          const { commandId, outcome, reason } = input.data;
          if (commandId === state.startReview?.commandId) return state.rejection === null ? [] : [compensate(state.rejection)];
          if (commandId !== state.publishCommandId) return [];
          if (outcome === 'rejected') return [fail(reason ?? 'PublishPost was refused')];
          const published: PostPublishedMessage = { postId: state.postId!, title: state.title!, authorId: state.authorId!, publishedAt: now.toISOString() };
          return [publish(POST_PUBLISHED_SUBJECT, published), complete()];
        }
        default: {
          const _exhaustive: never = input;
          return [];
        }
      }
    },
  });
}

/** The review with its 48-hour deadline. */
export const reviewWorkflow = createReviewWorkflow();

function evolve(state: ReviewState, event: WorkflowEvent): ReviewState {
  switch (event.type) {
    case 'PostSubmittedForReview': {
      const { postId, title, authorId } = event.data as PostSubmittedForReview['data'];
      return { ...state, postId, title, authorId };
    }
    case 'PostRejected':
      return { ...state, rejection: (event.data as PostRejected['data']).reason };
    case 'WorkflowCommandSent': {
      const { commandId, command } = event.data as CommandSentData;
      if (command.type === 'StartReview') return { ...state, startReview: { commandId, outcome: 'pending' } };
      if (command.type === 'PublishPost') return { ...state, publishCommandId: commandId };
      return state;
    }
    case 'WorkflowCommandDone': {
      const { commandId, outcome } = event.data as CommandDoneData;
      return state.startReview?.commandId === commandId ? { ...state, startReview: { commandId, outcome } } : state;
    }
    default:
      return state;
  }
}
