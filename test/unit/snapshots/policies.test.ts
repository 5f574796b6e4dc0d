// The two policies, as a table of moments: what the stream did, and whether it is time.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyNEvents, whenLoadReadMoreThan, ValidationError, type SnapshotMoment } from '../../../src/index.js';

const moment = (m: Partial<SnapshotMoment>): SnapshotMoment => ({
  streamId: 's',
  version: 0,
  snapshotVersion: 0,
  eventsApplied: 0,
  eventsAppended: 1,
  ...m,
});

describe('everyNEvents(n)', () => {
  const every10 = everyNEvents(10);

  test('waits until the stream is n events past the snapshot it was loaded from', () => {
    assert.equal(every10(moment({ version: 9 })), false);
    assert.equal(every10(moment({ version: 10 })), true);
    assert.equal(every10(moment({ version: 19, snapshotVersion: 10 })), false);
    assert.equal(every10(moment({ version: 20, snapshotVersion: 10 })), true);
  });

  test('catches up at once on a long stream without a usable snapshot', () => {
    assert.equal(every10(moment({ version: 5_000, snapshotVersion: 0 })), true);
  });

  test('refuses an n that is not a whole number >= 1', () => {
    assert.throws(() => everyNEvents(0), ValidationError);
    assert.throws(() => everyNEvents(2.5), { name: 'ValidationError', message: /^n: / });
  });
});

describe('whenLoadReadMoreThan(n)', () => {
  const over50 = whenLoadReadMoreThan(50);

  test('takes a snapshot only after a load that folded more than n events', () => {
    assert.equal(over50(moment({ version: 500, eventsApplied: 50 })), false);
    assert.equal(over50(moment({ version: 500, eventsApplied: 51 })), true);
  });

  test('whenLoadReadMoreThan(0) takes one after every load that folded anything', () => {
    assert.equal(whenLoadReadMoreThan(0)(moment({ eventsApplied: 1 })), true);
    assert.equal(whenLoadReadMoreThan(0)(moment({ eventsApplied: 0 })), false);
  });
});
