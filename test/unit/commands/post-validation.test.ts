// Bad commands are refused before any rule runs: each failure is a ValidationError
// naming the field, and nothing is written.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openEventStore } from '../../../src/index.js';
import {
  handlePostCommand,
  parsePostCommand,
  MAX_BODY_LENGTH,
  MAX_ID_LENGTH,
  MAX_TITLE_LENGTH,
  type PostCommand,
} from '../../../examples/blog/index.js';

const create = { type: 'CreatePost', postId: 'hello', title: 'Hello', body: 'Body.', authorId: 'ada' };
const edit = { type: 'EditPost', postId: 'hello' };

const badCommands: [string, unknown, string][] = [
  ['a command that is not an object', 'CreatePost', 'command'],
  ['a command that is null', null, 'command'],
  ['a command without a type', { postId: 'hello' }, 'type'],
  ['a command of an unknown type', { type: 'DeletePost', postId: 'hello' }, 'type'],
  ['a field the command does not have', { type: 'PublishPost', postId: 'hello', title: 'Hello' }, 'title'],
  ['a missing postId', { type: 'PublishPost' }, 'postId'],
  ['a postId that is a number', { type: 'PublishPost', postId: 42 }, 'postId'],
  ['an empty postId', { type: 'PublishPost', postId: '' }, 'postId'],
  ['a postId with a space', { type: 'PublishPost', postId: 'hello world' }, 'postId'],
  ['a postId with U+0000', { type: 'PublishPost', postId: 'hello\u0000' }, 'postId'],
  ['a postId over the limit', { type: 'PublishPost', postId: 'p'.repeat(MAX_ID_LENGTH + 1) }, 'postId'],
  ['a missing authorId', { ...create, authorId: undefined }, 'authorId'],
  ['an authorId over the limit', { ...create, authorId: 'a'.repeat(MAX_ID_LENGTH + 1) }, 'authorId'],
  ['a missing title', { ...create, title: undefined }, 'title'],
  ['a title that is not a string', { ...create, title: ['Hello'] }, 'title'],
  ['a blank title', { ...create, title: '   ' }, 'title'],
  ['a title over the limit', { ...create, title: 't'.repeat(MAX_TITLE_LENGTH + 1) }, 'title'],
  ['a title of two lines', { ...create, title: 'Hello\nworld' }, 'title'],
  ['a missing body', { ...create, body: undefined }, 'body'],
  ['a body that is null', { ...create, body: null }, 'body'],
  ['a body over the limit', { ...create, body: 'b'.repeat(MAX_BODY_LENGTH + 1) }, 'body'],
  ['an edit with neither title nor body', edit, 'title'],
  ['an edit with a blank title', { ...edit, title: ' ' }, 'title'],
];

describe('a bad command', () => {
  for (const [label, command, field] of badCommands) {
    test(`${label} is refused, naming ${field}, and writes nothing`, async () => {
      const store = await openEventStore('memory:');
      await handlePostCommand(store, { type: 'CreatePost', postId: 'hello', title: 'Hello', body: 'Body.', authorId: 'ada' });

      await assert.rejects(handlePostCommand(store, command as PostCommand), { name: 'ValidationError', field });

      assert.equal((await store.stats()).events, 1);
    });
  }
});

describe('the limits', () => {
  test('are inclusive', () => {
    const command = parsePostCommand({
      ...create,
      postId: 'p'.repeat(MAX_ID_LENGTH),
      authorId: 'a'.repeat(MAX_ID_LENGTH),
      title: 't'.repeat(MAX_TITLE_LENGTH),
      body: 'b'.repeat(MAX_BODY_LENGTH),
    });
    assert.equal(command.type, 'CreatePost');
  });

  test('count characters, not UTF-16 units', () => {
    const title = '📝'.repeat(MAX_TITLE_LENGTH);
    assert.equal(title.length, MAX_TITLE_LENGTH * 2);
    assert.deepEqual(parsePostCommand({ ...create, title }), { ...create, title });
  });

  test('allow an empty body', () => {
    assert.deepEqual(parsePostCommand({ ...create, body: '' }), { ...create, body: '' });
  });
});
