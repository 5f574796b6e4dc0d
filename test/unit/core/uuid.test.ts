import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUuid, uuidv7 } from '../../../src/index.js';

test('generated event ids are version-7 UUIDs that sort by time', () => {
  const early = uuidv7(Date.UTC(2026, 0, 1));
  const late = uuidv7(Date.UTC(2026, 0, 2));
  for (const id of [early, late]) {
    assert.ok(isUuid(id));
    assert.equal(id[14], '7');
    assert.ok('89ab'.includes(id[19]!));
  }
  assert.ok(early < late);
  assert.ok(early.startsWith('019b76da-a800'), early);
});

test('generated event ids do not repeat, and each is a well-formed version-7 UUID', () => {
  const ids = new Set(Array.from({ length: 10_000 }, () => uuidv7()));
  assert.equal(ids.size, 10_000);
  const variants = new Set<string>();
  for (const id of ids) {
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    variants.add(id[19]!);
  }
  // The variant digit carries two random bits: all four values turn up.
  assert.equal(variants.size, 4);
});

test('isUuid accepts either case and refuses anything else', () => {
  assert.ok(isUuid('0198C2A0-1D2E-7A3B-8C4D-5E6F7A8B9C0D'));
  assert.ok(!isUuid('not-a-uuid'));
  assert.ok(!isUuid('0198c2a0-1d2e-7a3b-8c4d-5e6f7a8b9c0'));
});
