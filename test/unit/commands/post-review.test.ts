// The review's rules, one behaviour per test: given a post's events, when a review
// command, then the events it decides or the error that refuses it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evolve, initialState, MAX_REASON_LENGTH, parsePostCommand, postDecider, type PostCommand, type PostEvent } from '../../../examples/blog/index.js';
import { deciderSpec } from '../../../src/testing/index.js';

const spec = deciderSpec(postDecider);

const post = { postId: 'hello', title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' };
const created: PostEvent = { type: 'PostWasCreated', data: post };
const published: PostEvent = { type: 'PostWasPublished', data: { postId: 'hello' } };
const submitted: PostEvent = { type: 'PostSubmittedForReview', data: { postId: 'hello', title: post.title, authorId: 'ada' } };
const started: PostEvent = { type: 'PostReviewStarted', data: { postId: 'hello', reviewDeadline: '2026-05-03T09:00:00.000Z' } };
const approvedNow: PostEvent = { type: 'PostApproved', data: { postId: 'hello', publishAt: null } };
const rejected: PostEvent = { type: 'PostRejected', data: { postId: 'hello', reason: 'Needs a source.' } };
const returned: PostEvent = { type: 'PostReturnedToDraft', data: { postId: 'hello', reason: 'Needs a source.' } };

const submit: PostCommand = { type: 'SubmitPostForReview', postId: 'hello' };
const approve: PostCommand = { type: 'ReviewPost', postId: 'hello', decision: 'approve' };
const reject: PostCommand = { type: 'ReviewPost', postId: 'hello', decision: 'reject', reason: 'Needs a source.' };
const startReview: PostCommand = { type: 'StartReview', postId: 'hello', reviewDeadline: '2026-05-03T09:00:00Z' };
const returnToDraft: PostCommand = { type: 'ReturnPostToDraft', postId: 'hello' };
const publish: PostCommand = { type: 'PublishPost', postId: 'hello' };

const notInReview = { name: 'DomainError', message: 'Post is not in review' };

describe('submitting a post for review', () => {
  test('a draft is submitted, with its title and author', () => {
    spec.given([created]).when(submit).then([submitted]);
  });

  test('the title submitted is the latest one', () => {
    const edited: PostEvent = { type: 'PostWasEdited', data: { postId: 'hello', title: 'Hello again', body: post.body } };
    spec.given([created, edited]).when(submit).then([{ ...submitted, data: { ...submitted.data, title: 'Hello again' } }]);
  });

  test('a post in review cannot be submitted again', () => {
    spec.given([created, submitted]).when(submit).thenThrows({ name: 'DomainError', message: 'Only a draft can be submitted for review' });
  });

  test('a published post cannot be submitted', () => {
    spec.given([created, published]).when(submit).thenThrows({ name: 'DomainError', message: 'Only a draft can be submitted for review' });
  });

  test('a post returned to draft can be submitted again', () => {
    spec.given([created, submitted, started, rejected, returned]).when(submit).then([submitted]);
  });

  test('a post that does not exist cannot be submitted', () => {
    spec.given([]).when(submit).thenThrows({ name: 'NotFoundError', message: 'Post does not exist' });
  });
});

describe('reviewing a post', () => {
  test('an approval without a time publishes as soon as possible', () => {
    spec.given([created, submitted, started]).when(approve).then([approvedNow]);
  });

  test('an approval for later records the time in UTC', () => {
    spec
      .given([created, submitted, started])
      .when({ ...approve, publishAt: '2026-05-01T11:00:00+02:00' })
      .then([{ type: 'PostApproved', data: { postId: 'hello', publishAt: '2026-05-01T09:00:00.000Z' } }]);
  });

  test('a rejection records its reason, trimmed', () => {
    spec
      .given([created, submitted, started])
      .when({ ...reject, reason: '  Needs a source. ' })
      .then([rejected]);
  });

  test('a review may come before the review has started', () => {
    spec.given([created, submitted]).when(approve).then([approvedNow]);
  });

  test('a rejected review takes no second answer', () => {
    spec.given([created, submitted, started, rejected]).when(approve).thenThrows({ name: 'DomainError', message: 'Post was already reviewed' });
  });

  test('an approved post cannot be reviewed again', () => {
    spec.given([created, submitted, started, approvedNow]).when(reject).thenThrows(notInReview);
  });

  test('a draft cannot be reviewed', () => {
    spec.given([created]).when(approve).thenThrows(notInReview);
  });

  test('a post returned to draft cannot be reviewed', () => {
    spec.given([created, submitted, started, rejected, returned]).when(reject).thenThrows(notInReview);
  });

  test('a post that does not exist cannot be reviewed', () => {
    spec.given([]).when(approve).thenThrows({ name: 'NotFoundError', message: 'Post does not exist' });
  });
});

describe('the review workflow\'s commands', () => {
  test('starting the review records its deadline', () => {
    spec.given([created, submitted]).when(startReview).then([started]);
  });

  test('starting a review already rejected still records it, so that it can be undone', () => {
    spec.given([created, submitted, rejected]).when(startReview).then([started]);
  });

  test('a review cannot start for a post not in review', () => {
    spec.given([created, submitted, approvedNow]).when(startReview).thenThrows(notInReview);
  });

  test('returning to draft gives the rejection\'s reason', () => {
    spec.given([created, submitted, started, rejected]).when(returnToDraft).then([returned]);
  });

  test('a post not in review cannot be returned to draft', () => {
    spec.given([created]).when(returnToDraft).thenThrows(notInReview);
  });
});

describe('publishing, with the review', () => {
  test('a scheduled post is published', () => {
    spec.given([created, submitted, started, approvedNow]).when(publish).then([published]);
  });

  test('a post in review cannot be published', () => {
    spec.given([created, submitted, started]).when(publish).thenThrows({ name: 'DomainError', message: 'Post is in review' });
  });

  test('a draft is still published directly', () => {
    spec.given([created, submitted, started, rejected, returned]).when(publish).then([published]);
  });
});

describe('the post through its review', () => {
  test('each status in turn, and nothing of the review left once published', () => {
    const states = [created, submitted, started, approvedNow, published].reduce(
      (seen, event) => [...seen, evolve(seen.at(-1)!, event)],
      [initialState()],
    );
    assert.deepEqual(states.map((s) => s.status), ['absent', 'draft', 'in_review', 'in_review', 'scheduled', 'published']);
    assert.deepEqual(states.at(-1), { status: 'published', ...post });
  });

  test('a rejected post keeps the reason in its events, not in its state', () => {
    const state = [created, submitted, started, rejected, returned].reduce(evolve, initialState());
    assert.deepEqual(state, { status: 'draft', ...post });
  });
});

describe('a bad review command', () => {
  const bad: [string, unknown, string][] = [
    ['a decision that is neither', { type: 'ReviewPost', postId: 'hello', decision: 'maybe' }, 'decision'],
    ['a missing decision', { type: 'ReviewPost', postId: 'hello' }, 'decision'],
    ['a rejection without a reason', { type: 'ReviewPost', postId: 'hello', decision: 'reject' }, 'reason'],
    ['a rejection with a blank reason', { ...reject, reason: '  ' }, 'reason'],
    ['a reason over the limit', { ...reject, reason: 'r'.repeat(MAX_REASON_LENGTH + 1) }, 'reason'],
    ['a rejection with a time', { ...reject, publishAt: '2026-05-01T09:00:00Z' }, 'publishAt'],
    ['an approval with a reason', { ...approve, reason: 'Fine.' }, 'reason'],
    ['a publishAt that is not a time', { ...approve, publishAt: 'tomorrow' }, 'publishAt'],
    ['a publishAt without its zone', { ...approve, publishAt: '2026-05-01T09:00:00' }, 'publishAt'],
    ['a publishAt on 30 February', { ...approve, publishAt: '2026-02-30T09:00:00Z' }, 'publishAt'],
    ['a publishAt that is a number', { ...approve, publishAt: 1_777_000_000_000 }, 'publishAt'],
    ['a reviewDeadline that is not a time', { ...startReview, reviewDeadline: 'soon' }, 'reviewDeadline'],
    ['a field submitting does not have', { ...submit, reason: 'Please.' }, 'reason'],
  ];
  for (const [label, command, field] of bad) {
    test(`${label} is refused, naming ${field}`, () => {
      assert.throws(() => parsePostCommand(command), { name: 'ValidationError', field });
    });
  }

  test('a reason of exactly the limit is taken', () => {
    const reason = 'r'.repeat(MAX_REASON_LENGTH);
    assert.deepEqual(parsePostCommand({ ...reject, reason }), { ...reject, reason });
  });
});
