import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyCodec, jsonCodec, openEventStore, ValidationError, type EventCodec } from '../../../src/index.js';

const codecs: [string, EventCodec<unknown>][] = [
  ['JSON', jsonCodec],
  ['copying', copyCodec],
];

for (const [name, codec] of codecs) {
  test(`the ${name} codec gives back exactly what it was given`, () => {
    const payload = { type: 'PostWasCreated', data: { title: 'Hi', tags: ['a'], n: 1.5, nul: 'a\u0000b' }, metadata: { by: 'me' } };
    assert.deepEqual(codec.decode(codec.encode(payload)), payload);
  });

  test(`the ${name} codec stores absent metadata as null and gives it back as undefined`, () => {
    const encoded = codec.encode({ type: 'A', data: 1, metadata: undefined });
    assert.equal(encoded.metadata, null);
    assert.equal(codec.decode(encoded).metadata, undefined);
  });

  test(`the ${name} codec gives back what JSON text would: -0 as 0, plain objects, a __proto__ key as a property`, () => {
    const data = JSON.parse('{"b":1,"10":"ten","2":"two","__proto__":{"polluted":true}}') as Record<string, unknown>;
    const shared = { x: 1 };
    Object.assign(data, { zero: -0, bare: Object.assign(Object.create(null) as object, { y: 2 }), one: shared, two: shared });
    const back = codec.decode(codec.encode({ type: 'A', data, metadata: undefined })).data as Record<string, unknown>;
    assert.deepEqual(back, JSON.parse(JSON.stringify(data)));
    assert.deepEqual(Object.keys(back), ['2', '10', 'b', '__proto__', 'zero', 'bare', 'one', 'two']);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal(Object.getPrototypeOf(back.bare), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
}

test('the JSON codec keeps text', () => {
  const encoded = jsonCodec.encode({ type: 'A', data: { a: 1 }, metadata: { b: 2 } });
  assert.deepEqual([encoded.data, encoded.metadata], ['{"a":1}', '{"b":2}']);
});

test('the copying codec keeps copies: changing what was encoded, or what was decoded, changes nothing kept', () => {
  const data = { post: { title: 'Hello', tags: ['a'] } };
  const encoded = copyCodec.encode({ type: 'A', data, metadata: undefined });
  data.post.title = 'changed';
  data.post.tags.push('b');
  const decoded = copyCodec.decode(encoded).data as typeof data;
  decoded.post.tags.push('c');
  assert.deepEqual(copyCodec.decode(encoded).data, { post: { title: 'Hello', tags: ['a'] } });
});

test("an application's codec that refuses a payload: the error names the event's place, and nothing is written", async () => {
  const refusing: EventCodec = {
    encode(payload) {
      if ((payload.data as { secret?: unknown }).secret !== undefined) throw new ValidationError('data.secret', 'cannot be encrypted without a key');
      return jsonCodec.encode(payload);
    },
    decode: jsonCodec.decode,
  };
  const store = await openEventStore('memory:', { codec: refusing });
  await assert.rejects(store.appendToStream('s', [{ type: 'A', data: {} }, { type: 'B', data: { secret: 'x' } }]), (error) => {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.field, 'events[1].data.secret');
    return true;
  });
  assert.equal(await store.headPosition(), 0);
  await store.close();
});
