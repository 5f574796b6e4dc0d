// WF1 on Eventline's stores: the blog's review workflow run by startWorkflows, and what
// its stored streams say afterwards (each step's latency, the timers' lateness, the posts
// published and announced).

import { handlePostCommand } from '../../examples/blog/handle.js';
import { createReviewWorkflow, POST_PUBLISHED_SUBJECT, reviewCommandHandlers, reviewPost, submitPostForReview } from '../../examples/blog/review/index.js';
import {
  OUTBOX_MESSAGE,
  startWorkflows,
  workflowControls,
  WorkflowEventTypes as T,
  type CommandDoneData,
  type CommandSentData,
  type EventStore,
  type OutboxMessageData,
  type RecordedEvent,
  type TimerFiredData,
  type Workflows,
} from '../../src/index.js';
import type { ReviewOutcome, ReviewWorkflow } from '../workloads/adapter.js';
import { PAGE_SIZE } from '../workloads/sizes.js';

/** No reminder is due within a run: every instance's one timer is its publish time. */
const workflow = createReviewWorkflow({ reviewDeadlineMs: 24 * 60 * 60 * 1000 });
const PREFIX = `workflow-${workflow.name}-`;

export function reviewWorkflowOf(store: EventStore): ReviewWorkflow {
  let runtime: Workflows | undefined;
  // progress(): how far the log has been read, and the instances whose first command (StartReview) is done.
  let after = 0;
  const reviewing = new Set<string>();

  return {
    async start(options) {
      runtime = startWorkflows(store, [workflow], { commands: reviewCommandHandlers(store), ...options });
    },
    async createPost(postId) {
      await handlePostCommand(store, { type: 'CreatePost', postId, title: `Post ${postId} under review`, body: 'A post the review workflow publishes.', authorId: 'wf1' });
    },
    async submit(postId) {
      await submitPostForReview(store, postId);
    },
    async approve(postId, publishAt) {
      await reviewPost(store, { postId, decision: 'approve', publishAt: publishAt.toISOString() });
    },
    async progress() {
      const seen = { reviewing: [] as string[], completed: [] as string[] };
      for (;;) {
        const page = await store.readAllPage({ after, types: [T.commandDone, T.completed], streamPrefix: PREFIX, batchSize: PAGE_SIZE });
        for (const event of page) {
          const postId = event.streamId.slice(PREFIX.length);
          if (event.type === T.completed) seen.completed.push(postId);
          else if (!reviewing.has(postId)) {
            reviewing.add(postId);
            seen.reviewing.push(postId);
          }
        }
        if (page.length > 0) after = page[page.length - 1]!.position;
        if (page.length < PAGE_SIZE) return seen;
      }
    },
    idle: () => running().idle(60_000),
    counts: () => workflowControls(store, [workflow]).counts(),
    outcome: () => outcomeOf(store),
    async stop() {
      await runtime?.stop();
      runtime = undefined;
    },
  };

  function running(): Workflows {
    if (!runtime) throw new Error('the workflow runtime is not started');
    return runtime;
  }
}

/**
 * One read of the whole log. A step's latency runs from its input to the step's append:
 * for an event of the log, from that event's recording (found by its position) to the
 * WorkflowInputReceived; for a command's outcome, from the WorkflowCommandSent to the
 * WorkflowCommandDone; for a timer, from its due time to the TimerFired.
 */
async function outcomeOf(store: EventStore): Promise<ReviewOutcome> {
  const recordedAt = new Map<number, number>();
  const sentAt = new Map<string, number>();
  const outcome: ReviewOutcome = { steps: [], timerLatenessMs: [], published: new Map(), outbox: new Map() };
  const count = (perPost: Map<string, number>, postId: string) => perPost.set(postId, (perPost.get(postId) ?? 0) + 1);
  const visit = (event: RecordedEvent) => {
    const at = event.recordedAt.getTime();
    recordedAt.set(event.position, at);
    if (event.type === 'PostWasPublished') count(outcome.published, (event.data as { postId: string }).postId);
    if (!event.streamId.startsWith(PREFIX)) return;
    switch (event.type) {
      case T.inputReceived: {
        const source = recordedAt.get((event.data as { input: { position: number } }).input.position);
        if (source === undefined) throw new Error(`${event.streamId} took an input that is not in the log before it`);
        outcome.steps.push({ kind: 'log', ms: at - source });
        break;
      }
      case T.commandSent:
        sentAt.set((event.data as CommandSentData).commandId, at);
        break;
      case T.commandDone:
        outcome.steps.push({ kind: 'command', ms: at - sentAt.get((event.data as CommandDoneData).commandId)! });
        break;
      case T.timerFired: {
        const fired = event.data as TimerFiredData;
        outcome.steps.push({ kind: 'timer', ms: at - Date.parse(fired.dueAt) });
        outcome.timerLatenessMs.push(fired.latenessMs);
        break;
      }
      case OUTBOX_MESSAGE:
        if ((event.data as OutboxMessageData).subject === POST_PUBLISHED_SUBJECT) count(outcome.outbox, event.streamId.slice(PREFIX.length));
        break;
    }
  };
  for (let after = 0; ; ) {
    const page = await store.readAllPage({ after, batchSize: PAGE_SIZE });
    page.forEach(visit);
    if (page.length < PAGE_SIZE) return outcome;
    after = page[page.length - 1]!.position;
  }
}
