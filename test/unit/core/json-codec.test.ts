import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonCodec, ValidationError } from '../../../src/index.js';

test('the JSON codec gives back exactly what it was given', () => {
  const payload = { type: 'PostWasCreated', data: { title: 'Hi', tags: ['a'], n: 1.5, nul: 'a\u0000b' }, metadata: { by: 'me' } };
  const encoded = jsonCodec.encode(payload);
  assert.equal(typeof encoded.data, 'string');
  assert.deepEqual(jsonCodec.decode(encoded), payload);
});

test('the JSON codec stores absent metadata as null and gives it back as undefined', () => {
  const encoded = jsonCodec.encode({ type: 'A', data: 1, metadata: undefined });
  assert.equal(encoded.metadata, null);
  assert.equal(jsonCodec.decode(encoded).metadata, undefined);
});

test('the JSON codec names the path to a value JSON cannot carry', () => {
  assert.throws(() => jsonCodec.encode({ type: 'A', data: { a: [{ b: NaN }] }, metadata: undefined }), (error) => {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.field, 'data.a[0].b');
    assert.equal(error.reason, 'NaN is not a JSON number');
    return true;
  });
});

test('the JSON codec accepts objects without a prototype and shared (non-cyclic) references', () => {
  const shared = { x: 1 };
  const bare = Object.assign(Object.create(null) as object, { y: 2 });
  const data = { one: shared, two: shared, bare };
  assert.deepEqual(JSON.parse(jsonCodec.encode({ type: 'A', data, metadata: undefined }).data), { one: { x: 1 }, two: { x: 1 }, bare: { y: 2 } });
});
