// The shape contract checks compare: keys and kinds of values, recursively, and where
// two shapes differ, named by path and kind only, never by value.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shapeDifferences, shapeOf } from '../../../src/evolution/shape.js';

const differences = (approved: unknown, current: unknown) => shapeDifferences(shapeOf(approved), shapeOf(current));

test('values differ, shapes do not: nothing to report', () => {
  assert.deepEqual(differences({ a: 'x', n: 1, tags: ['a'], at: null }, { a: 'y', n: 2, tags: ['b', 'c'], at: null }), []);
});

test('a key added, removed or of another kind is named by its path, never by its value', () => {
  const found = differences({ title: 'secret-title', authorId: 'ada', meta: { n: 1 } }, { title: 'secret-title', author: { id: 'ada' }, meta: { n: '1' } });
  assert.deepEqual(found, ['authorId: removed', 'meta.n: number, now string', 'author: added']);
  assert.ok(!found.join(' ').includes('secret'));
});

test('an empty array matches an array of anything; arrays of another element shape differ', () => {
  assert.deepEqual(differences({ tags: [] }, { tags: ['news'] }), []);
  assert.deepEqual(differences({ tags: ['news'] }, { tags: [1] }), ['tags[]: elements of another shape']);
  assert.deepEqual(differences({ tags: ['news'] }, { tags: 'news' }), ['tags: array, now string']);
  assert.deepEqual(differences('x', {}), ['(the data): string, now object']);
});
