// The editorial review, told as given / when / then and run on every store, with a
// clock moved by hand: what is published and when, what a rejection undoes, when the
// editors are reminded, and that nothing happens twice.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadState, OUTBOX_MESSAGE, startWorkflows, workflowStreamId, type EventStore, type OutboxMessageData, type Workflows } from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import {
  handlePostCommand,
  POST_PUBLISHED_SUBJECT,
  postDecider,
  postStreamId,
  REVIEW_DEADLINE_MS,
  REVIEW_REMINDER_SUBJECT,
  reviewCommandHandlers,
  reviewPost,
  reviewWorkflow,
  submitPostForReview,
} from '../blog/index.js';

const START = Date.parse('2026-05-01T09:00:00Z');
const HOUR = 60 * 60 * 1000;
const instanceOf = (postId: string) => workflowStreamId('review', postId);

interface Review {
  store: EventStore;
  workflows: Workflows;
  clock: { now(): number; advance(ms: number): void };
  /** Stops the workflows, runs `meanwhile`, and starts them again. */
  restart(meanwhile: () => Promise<void>): Promise<void>;
}

/** Runs `story` with the review workflow started on `store`, its clock at START and moved only by the story. */
async function withReview(store: EventStore, story: (review: Review) => Promise<void>): Promise<void> {
  let now = START;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const start = () => startWorkflows(store, [reviewWorkflow], { clock, timers: false, commands: reviewCommandHandlers(store), retryDelaysMs: [5, 10], pollIntervalMs: 20 });
  const review: Review = {
    store,
    workflows: start(),
    clock,
    async restart(meanwhile) {
      await review.workflows.stop();
      await meanwhile();
      review.workflows = start();
    },
  };
  try {
    await story(review);
  } finally {
    await review.workflows.stop();
  }
}

/** Given: a draft by ada, submitted for review, and the workflows caught up. */
async function givenSubmitted({ store, workflows }: Review, postId: string): Promise<void> {
  await handlePostCommand(store, { type: 'CreatePost', postId, title: `Post ${postId}`, body: '…', authorId: 'ada' });
  await submitPostForReview(store, postId);
  await workflows.idle();
}

async function postEvents(store: EventStore, postId: string): Promise<string[]> {
  return (await store.readStream(postStreamId(postId))).map((e) => e.type);
}

async function statusOf(store: EventStore, postId: string): Promise<string> {
  return (await loadState(store, postStreamId(postId), postDecider)).state.status;
}

async function outbox(store: EventStore): Promise<(OutboxMessageData & { streamId: string })[]> {
  const messages: (OutboxMessageData & { streamId: string })[] = [];
  for await (const event of store.readAll({ after: 0, types: [OUTBOX_MESSAGE] })) messages.push({ streamId: event.streamId, ...(event.data as OutboxMessageData) });
  return messages;
}

onEveryStore((name) => `the editorial review on ${name}`, (backend) => {
  test('given a post in review, when it is approved with no time, then it is published once and announced once', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await givenSubmitted(review, 'now');

        await reviewPost(store, { postId: 'now', decision: 'approve' });
        await review.workflows.idle();

        assert.deepEqual(await postEvents(store, 'now'), ['PostWasCreated', 'PostSubmittedForReview', 'PostReviewStarted', 'PostApproved', 'PostWasPublished']);
        assert.deepEqual(await outbox(store), [
          {
            streamId: instanceOf('now'),
            subject: POST_PUBLISHED_SUBJECT,
            payload: { postId: 'now', title: 'Post now', authorId: 'ada', publishedAt: new Date(START).toISOString() },
          },
        ]);
        assert.equal((await review.workflows.show(instanceOf('now'))).status, 'completed');
      }),
    ));

  test('given a post approved for later, it is not published before its time, and is at it', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await givenSubmitted(review, 'later');
        const publishAt = new Date(START + 3 * HOUR).toISOString();

        await reviewPost(store, { postId: 'later', decision: 'approve', publishAt });
        review.clock.advance(3 * HOUR - 1);
        await review.workflows.idle();
        assert.equal(await statusOf(store, 'later'), 'scheduled');
        assert.deepEqual(await outbox(store), []);

        review.clock.advance(1);
        await review.workflows.idle();
        assert.equal(await statusOf(store, 'later'), 'published');
        assert.deepEqual((await outbox(store)).map((m) => m.payload), [{ postId: 'later', title: 'Post later', authorId: 'ada', publishedAt: publishAt }]);
      }),
    ));

  test('given a post in review, when it is rejected, then it is a draft again with the reason and the instance is compensated', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await givenSubmitted(review, 'rough');

        await reviewPost(store, { postId: 'rough', decision: 'reject', reason: 'Needs a source.' });
        await review.workflows.idle();

        const last = (await store.readStream(postStreamId('rough'))).at(-1)!;
        assert.deepEqual([last.type, last.data], ['PostReturnedToDraft', { postId: 'rough', reason: 'Needs a source.' }]);
        const instance = await review.workflows.show(instanceOf('rough'));
        assert.deepEqual([instance.status, instance.reason], ['compensated', 'Needs a source.']);
        assert.deepEqual(await outbox(store), []);
      }),
    ));

  test('given a post rejected and back to draft, when it is submitted again, then a second review takes it to publication', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await givenSubmitted(review, 'again');
        await reviewPost(store, { postId: 'again', decision: 'reject', reason: 'Needs a source.' });
        await review.workflows.idle();

        await submitPostForReview(store, 'again');
        await review.workflows.idle();
        await reviewPost(store, { postId: 'again', decision: 'approve' });
        await review.workflows.idle();

        assert.equal(await statusOf(store, 'again'), 'published');
        assert.equal((await review.workflows.show(instanceOf('again'))).status, 'compensated');
        assert.equal((await review.workflows.show(instanceOf('again.2'))).status, 'completed');
        assert.deepEqual((await outbox(store)).map((m) => m.streamId), [instanceOf('again.2')]);
      }),
    ));

  test('given a review not given by its deadline, the editors are reminded once', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await givenSubmitted(review, 'quiet');

        review.clock.advance(REVIEW_DEADLINE_MS - 1);
        await review.workflows.idle();
        assert.deepEqual(await outbox(store), []);
        review.clock.advance(1);
        await review.workflows.idle();
        review.clock.advance(REVIEW_DEADLINE_MS);
        await review.workflows.idle();

        assert.deepEqual(await outbox(store), [
          { streamId: instanceOf('quiet'), subject: REVIEW_REMINDER_SUBJECT, payload: { postId: 'quiet', submittedAt: new Date(START).toISOString() } },
        ]);
      }),
    ));

  test('given a review given in time, no reminder comes after the deadline', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await givenSubmitted(review, 'prompt');

        review.clock.advance(HOUR);
        await reviewPost(store, { postId: 'prompt', decision: 'reject', reason: 'Not for this blog.' });
        await review.workflows.idle();
        review.clock.advance(2 * REVIEW_DEADLINE_MS);
        await review.workflows.idle();

        assert.deepEqual(await outbox(store), []);
        assert.deepEqual((await review.workflows.show(instanceOf('prompt'))).timers.map((t) => [t.name, t.state]), [['reminder', 'cancelled']]);
      }),
    ));

  test('given the workflows not running, a post submitted and rejected at once is a draft again once they run', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await review.restart(async () => {
          await handlePostCommand(store, { type: 'CreatePost', postId: 'quick', title: 'Post quick', body: '…', authorId: 'ada' });
          await submitPostForReview(store, 'quick');
          await reviewPost(store, { postId: 'quick', decision: 'reject', reason: 'No.' });
        });
        // The rejection reaches the instance before StartReview has run: it waits for it, then undoes it.
        await review.workflows.idle();

        assert.equal(await statusOf(store, 'quick'), 'draft');
        assert.deepEqual((await postEvents(store, 'quick')).slice(2), ['PostRejected', 'PostReviewStarted', 'PostReturnedToDraft']);
        assert.equal((await review.workflows.show(instanceOf('quick'))).status, 'compensated');
      }),
    ));

  test('when the submit is delivered to the workflow again, nothing changes', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await givenSubmitted(review, 'twice');
        const before = (await store.stats()).events;

        // The checkpoint moves with each step, so only a store restored from a copy taken
        // between the two could hand the instance its input again: rewound here by hand.
        await review.restart(async () => {
          const checkpoints = store.readModels.table('eventline_workflows');
          assert.equal(await store.readModels.transaction({ checkpoints }, (db) => db.run('UPDATE {checkpoints} SET position = 0')), 1);
        });
        await review.workflows.idle();

        assert.equal((await store.stats()).events, before);
        assert.deepEqual(await postEvents(store, 'twice'), ['PostWasCreated', 'PostSubmittedForReview', 'PostReviewStarted']);
      }),
    ));

  test('when a command the workflow sent is sent again, nothing changes', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await givenSubmitted(review, 'resent');
        const sent = (await review.workflows.show(instanceOf('resent'))).commands[0]!;

        const handlers = reviewCommandHandlers(store);
        await handlers.StartReview!(sent.command, { commandId: sent.commandId, streamId: instanceOf('resent'), workflow: 'review' });

        assert.deepEqual(await postEvents(store, 'resent'), ['PostWasCreated', 'PostSubmittedForReview', 'PostReviewStarted']);
      }),
    ));

  test('given a completed review, an approval that arrives late is recorded, ignored, and sends nothing', () =>
    backend.withStore((store) =>
      withReview(store, async (review) => {
        await givenSubmitted(review, 'done');
        await reviewPost(store, { postId: 'done', decision: 'approve' });
        await review.workflows.idle();
        const before = await review.workflows.show(instanceOf('done'));

        // An approval the blog's rules would refuse now, written by an older process or an import.
        await store.appendToStream(postStreamId('done'), [{ type: 'PostApproved', data: { postId: 'done', publishAt: null } }]);
        await review.workflows.idle();

        const after = await review.workflows.show(instanceOf('done'));
        assert.equal(after.status, 'completed');
        assert.deepEqual(after.events.slice(before.events.length).map((e) => e.type), ['WorkflowInputIgnored']);
        assert.deepEqual(after.commands, before.commands);
        assert.equal((await outbox(store)).length, 1);
      }),
    ));
});
