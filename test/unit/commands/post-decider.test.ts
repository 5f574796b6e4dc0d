// The blog's rules, one behaviour per test: given a post's events, when a command,
// then the events it decides or the error that refuses it.

import { describe, test } from 'node:test';
import { postDecider, type PostCommand, type PostEvent } from '../../../examples/blog/index.js';
import { deciderSpec } from '../../../src/testing/index.js';

const spec = deciderSpec(postDecider);

const post = { postId: 'hello', title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' };
const created: PostEvent = { type: 'PostWasCreated', data: post };
const published: PostEvent = { type: 'PostWasPublished', data: { postId: 'hello' } };
const unpublished: PostEvent = { type: 'PostWasUnpublished', data: { postId: 'hello' } };

const create: PostCommand = { type: 'CreatePost', ...post };
const publish: PostCommand = { type: 'PublishPost', postId: 'hello' };
const unpublish: PostCommand = { type: 'UnpublishPost', postId: 'hello' };

describe('creating a post', () => {
  test('a new post is created as a draft', () => {
    spec.given([]).when(create).then([created]);
  });

  test('the title is stored trimmed', () => {
    spec
      .given([])
      .when({ ...create, title: '  Hello, Eventline \t' })
      .then([created]);
  });

  test('a post that exists cannot be created again', () => {
    spec.given([created]).when(create).thenThrows({ name: 'DomainError', message: 'Post already exists' });
  });
});

describe('editing a post', () => {
  test('an edit records the whole new title and body', () => {
    spec
      .given([created])
      .when({ type: 'EditPost', postId: 'hello', title: 'Hello again' })
      .then([{ type: 'PostWasEdited', data: { postId: 'hello', title: 'Hello again', body: post.body } }]);
  });

  test('a published post can still be edited', () => {
    spec
      .given([created, published])
      .when({ type: 'EditPost', postId: 'hello', body: 'Corrected.' })
      .then([{ type: 'PostWasEdited', data: { postId: 'hello', title: post.title, body: 'Corrected.' } }]);
  });

  test('an edit is compared with the latest text, not the first', () => {
    const edited: PostEvent = { type: 'PostWasEdited', data: { postId: 'hello', title: 'Hello again', body: post.body } };
    spec
      .given([created, edited])
      .when({ type: 'EditPost', postId: 'hello', title: 'Hello again' })
      .thenThrows({ name: 'DomainError', message: 'Edit changes nothing' });
  });

  test('an edit that changes nothing is refused', () => {
    spec
      .given([created])
      .when({ type: 'EditPost', postId: 'hello', title: ` ${post.title} `, body: post.body })
      .thenThrows({ name: 'DomainError', message: 'Edit changes nothing' });
  });

  test('a post that does not exist cannot be edited', () => {
    spec
      .given([])
      .when({ type: 'EditPost', postId: 'hello', title: 'Hello again' })
      .thenThrows({ name: 'NotFoundError', message: 'Post does not exist' });
  });
});

describe('publishing a post', () => {
  test('a draft is published', () => {
    spec.given([created]).when(publish).then([published]);
  });

  test('a published post cannot be published again', () => {
    spec.given([created, published]).when(publish).thenThrows({ name: 'DomainError', message: 'Post is already published' });
  });

  test('an unpublished post can be published again', () => {
    spec.given([created, published, unpublished]).when(publish).then([published]);
  });

  test('a post that does not exist cannot be published', () => {
    spec.given([]).when(publish).thenThrows({ name: 'NotFoundError', message: 'Post does not exist' });
  });
});

describe('unpublishing a post', () => {
  test('a published post goes back to draft', () => {
    spec.given([created, published]).when(unpublish).then([unpublished]);
  });

  test('a draft cannot be unpublished', () => {
    spec.given([created]).when(unpublish).thenThrows({ name: 'DomainError', message: 'Post is not published' });
  });

  test('a post that does not exist cannot be unpublished', () => {
    spec.given([]).when(unpublish).thenThrows({ name: 'NotFoundError', message: 'Post does not exist' });
  });
});

describe('folding a post', () => {
  test('an event this version does not know leaves the post as it was', () => {
    const future = { type: 'PostWasPinned', data: { postId: 'hello' } } as unknown as PostEvent;
    spec.given([created, future]).when(publish).then([published]);
  });
});
