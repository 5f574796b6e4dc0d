// An event's size is the UTF-8 bytes of its JSON text. jsonBytesBound finds a bound on
// it without writing the text; only an event that might be over the limit is counted
// exactly, with jsonBytes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonBytes, jsonBytesBound } from '../../../src/core/json.js';

test('jsonBytes counts the UTF-8 bytes of the JSON text, escapes and multi-byte characters included', () => {
  assert.equal(jsonBytes({ body: '\u0001"é😀\ud800' }), '{"body":""}'.length + 6 + 2 + 2 + 4 + 6);
});

test('the bound is never below the exact size', () => {
  const values = [{ title: 'Hello', n: -0.5, ok: true, none: null, list: [1, 'é', { a: [] }] }, '\u0001"é😀\ud800'.repeat(50), -1.7976931348623157e308, 5e-324, [], {}, null];
  for (const value of values) {
    const bound = jsonBytesBound(value);
    assert.ok(bound !== undefined && bound >= jsonBytes(value), JSON.stringify(value));
  }
});

test('there is no quick bound for a value JSON cannot carry, or one nested deeper than the quick walk goes', () => {
  let deep: unknown = 'end';
  for (let i = 0; i < 100; i++) deep = [deep];
  const holey = [1, 2, 3];
  delete holey[1];
  for (const value of [{ a: [{ b: NaN }] }, { when: new Date() }, holey, deep]) assert.equal(jsonBytesBound(value), undefined);
});
