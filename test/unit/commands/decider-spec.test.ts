// The given/when/then helper of eventline/testing: it passes when the decider decides
// what the test says, and fails, with the difference, when it does not.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DomainError, NotFoundError, ValidationError } from '../../../src/index.js';
import { deciderSpec } from '../../../src/testing/index.js';
import { postDecider, type PostCommand, type PostEvent } from '../../../examples/blog/index.js';

const spec = deciderSpec(postDecider);
const post = { postId: 'hello', title: 'Hello', body: 'Body.', authorId: 'ada' };
const created: PostEvent = { type: 'PostWasCreated', data: post };
const published: PostEvent = { type: 'PostWasPublished', data: { postId: 'hello' } };
const publish: PostCommand = { type: 'PublishPost', postId: 'hello' };

describe('deciderSpec', () => {
  test('then passes when the command decides exactly these events, and fails otherwise', () => {
    spec.given([created]).when(publish).then([published]);
    assert.throws(() => spec.given([created]).when(publish).then([]), assert.AssertionError);
  });

  test('thenThrows takes the error class', () => {
    spec.given([]).when(publish).thenThrows(NotFoundError);
    spec.given([created, published]).when(publish).thenThrows(DomainError);
    assert.throws(() => spec.given([created, published]).when(publish).thenThrows(ValidationError), /expected a ValidationError/);
  });

  test('thenThrows takes the name and message, or a pattern, and the field of a ValidationError', () => {
    spec.given([created, published]).when(publish).thenThrows({ name: 'DomainError', message: 'Post is already published' });
    spec.given([]).when(publish).thenThrows({ name: 'NotFoundError', message: /does not exist/ });
    spec.given([]).when({ type: 'PublishPost', postId: '' }).thenThrows({ name: 'ValidationError', field: 'postId' });
    assert.throws(() => spec.given([created]).when(publish).thenThrows({ name: 'DomainError' }), assert.AssertionError);
  });
});
