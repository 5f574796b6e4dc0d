import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareCodePoints } from '../../../src/core/compare.js';

test('stream ids sort by code point, as SQLite and PostgreSQL ("C") sort them', () => {
  const ids = ['😀', '\uffff', 'b', 'a', 'ab', 'A', ''];
  assert.deepEqual([...ids].sort(compareCodePoints), ['', 'A', 'a', 'ab', 'b', '\uffff', '😀']);
  // JavaScript's default sort puts the astral character first: that is what this avoids.
  assert.deepEqual(['\uffff', '😀'].sort(), ['😀', '\uffff']);
});
