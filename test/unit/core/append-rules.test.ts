import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConcurrencyError, DuplicateEventError } from '../../../src/index.js';
import { checkExpectedVersion, idempotentResult } from '../../../src/storage.js';

const toStore = (eventId?: string) => ({ eventId, type: 'A', data: '{}', metadata: null });

test('an append none of whose ids is stored proceeds', () => {
  assert.equal(idempotentResult('s', [toStore('a')], []), undefined);
});

test('an exact retry returns the original version and position', () => {
  const stored = [
    { eventId: 'a', streamId: 's', version: 3, position: 10 },
    { eventId: 'b', streamId: 's', version: 4, position: 11 },
  ];
  assert.deepEqual(idempotentResult('s', [toStore('a'), toStore('b')], stored), { nextExpectedVersion: 4, lastPosition: 11 });
});

test('ids stored out of order, in another stream, or only in part are duplicates', () => {
  const stored = [
    { eventId: 'a', streamId: 's', version: 3, position: 10 },
    { eventId: 'b', streamId: 's', version: 4, position: 11 },
  ];
  assert.throws(() => idempotentResult('s', [toStore('b'), toStore('a')], stored), DuplicateEventError);
  assert.throws(() => idempotentResult('t', [toStore('a'), toStore('b')], stored), /already stored in stream 's'/);
  assert.throws(() => idempotentResult('s', [toStore('a'), toStore('c')], stored.slice(0, 1)), /not a retry of one append/);
  // An event without an id is always new: beside a stored one, it cannot be a retry.
  assert.throws(() => idempotentResult('s', [toStore('a'), toStore()], stored.slice(0, 1)), /events\[1\] of the same append has no id/);
});

test('expected versions: any, no_stream, stream_exists and exact', () => {
  for (const [expected, actual] of [['any', 0], ['any', 5], ['no_stream', 0], ['stream_exists', 1], [3, 3], [0, 0]] as const) {
    assert.doesNotThrow(() => checkExpectedVersion('s', expected, actual));
  }
  for (const [expected, actual] of [['no_stream', 1], ['stream_exists', 0], [3, 4], [0, 1]] as const) {
    assert.throws(() => checkExpectedVersion('s', expected, actual), ConcurrencyError);
  }
});
