// diffRows: two sets of rows matched by their key, told as before / after / the changes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffRows, ValidationError } from '../../../src/index.js';

const post = (post_id: string, status: string, version: number) => ({ post_id, status, version });

test('rows only after are added, rows only before removed, rows in both with another value changed', () => {
  const before = [post('a', 'draft', 1), post('b', 'draft', 1), post('c', 'published', 2)];
  const after = [post('c', 'published', 2), post('a', 'published', 2), post('d', 'draft', 1)];

  assert.deepEqual(diffRows(before, after, 'post_id'), {
    added: [post('d', 'draft', 1)],
    removed: [post('b', 'draft', 1)],
    changed: [{ key: { post_id: 'a' }, columns: ['status', 'version'], before: post('a', 'draft', 1), after: post('a', 'published', 2) }],
  });
});

test('a key of several columns matches rows on all of them', () => {
  const before = [{ author: 'ada', day: 1, posts: 1 }, { author: 'ada', day: 2, posts: 1 }];
  const after = [{ author: 'ada', day: 1, posts: 3 }, { author: 'bo', day: 2, posts: 1 }];

  const diff = diffRows(before, after, ['author', 'day']);

  assert.deepEqual(diff.changed.map((c) => [c.key, c.columns]), [[{ author: 'ada', day: 1 }, ['posts']]]);
  assert.deepEqual(diff.added, [{ author: 'bo', day: 2, posts: 1 }]);
  assert.deepEqual(diff.removed, [{ author: 'ada', day: 2, posts: 1 }]);
});

test('a column that appears or disappears counts as changed; equal dates and buffers do not', () => {
  const at = () => new Date('2026-11-26T19:00:00Z');
  const before = [{ id: 1, at: at(), blob: Buffer.from('x') }];
  const after = [{ id: 1, at: at(), blob: Buffer.from('x'), extra: null }];

  assert.deepEqual(diffRows(before, after, 'id').changed.map((c) => c.columns), [['extra']]);
  assert.deepEqual(diffRows(before, before.map((r) => ({ ...r })), 'id'), { added: [], removed: [], changed: [] });
});

test('a key that is missing, repeated or not a column name is a ValidationError on key', () => {
  const isKeyError = (e: unknown) => e instanceof ValidationError && e.field.startsWith('key');
  assert.throws(() => diffRows([{ id: 1 }], [{ other: 1 }], 'id'), isKeyError);
  assert.throws(() => diffRows([{ id: 1 }, { id: 1 }], [], 'id'), isKeyError);
  assert.throws(() => diffRows([], [], []), isKeyError);
  assert.throws(() => diffRows([], [], ''), isKeyError);
  assert.throws(() => diffRows([], [], 7 as unknown as string), isKeyError);
});
