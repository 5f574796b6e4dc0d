// The position map of a copy: a batch's source and target positions become runs of
// consecutive positions on both sides, and a consumer's position translates to the
// target position of the newest copied event at or before it, across pruned gaps.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { positionMapOf, rangesOf } from '../../../src/copy/position-map.js';

test('a batch with a pruned gap in the source makes two runs', () => {
  const ranges = rangesOf([3, 4, 5, 9, 10], [1, 2, 3, 4, 5], ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(ranges, [
    { sourceFrom: 3, sourceTo: 5, targetFrom: 1, lastEventId: 'c' },
    { sourceFrom: 9, sourceTo: 10, targetFrom: 4, lastEventId: 'e' },
  ]);
});

test('a position translates to the newest copied event at or before it', () => {
  const map = positionMapOf(rangesOf([3, 4, 5, 9, 10], [1, 2, 3, 4, 5], ['a', 'b', 'c', 'd', 'e']));
  assert.deepEqual([0, 2, 3, 5, 6, 8, 9, 10, 12].map(map.translate), [0, 0, 1, 3, 3, 3, 4, 5, 5]);
  assert.deepEqual([map.sourceEnd, map.targetEnd, map.events], [10, 5, 5]);
});

test('an empty map translates every position to 0', () => {
  const map = positionMapOf([]);
  assert.deepEqual([map.translate(0), map.translate(7), map.sourceEnd, map.targetEnd, map.events], [0, 0, 0, 0, 0]);
});
