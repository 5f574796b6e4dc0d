// Bad input: every store refuses the same things, with the same typed error naming
// the field, and writes nothing.

import assert from 'node:assert/strict';
import { EventTooLargeError, StoreOpenError, ValidationError } from '../../core/errors.js';
import type { NewEvent } from '../../core/events.js';
import type { EventStore } from '../../store/event-store.js';
import { openEventStore } from '../../open/open-store.js';
import { countAll, defineCase, defineProcessCase, type ConformanceOptions } from './suite.js';

type Attempt = (store: EventStore) => Promise<unknown>;

const event = (data: unknown): NewEvent => ({ type: 'PostWasCreated', data });
const cycle: Record<string, unknown> = { a: 1 };
cycle.self = cycle;

/** [what is wrong, the field the error names, the attempt]. */
const BAD_APPENDS: readonly [string, string, Attempt][] = [
  ['an empty stream id', 'streamId', (s) => s.appendToStream('', [event({})])],
  ['a stream id of 256 characters', 'streamId', (s) => s.appendToStream('x'.repeat(256), [event({})])],
  ['a stream id that is not a string', 'streamId', (s) => s.appendToStream(42 as unknown as string, [event({})])],
  ['a stream id with U+0000', 'streamId', (s) => s.appendToStream('post-\u0000', [event({})])],
  ['a stream id with a lone surrogate', 'streamId', (s) => s.appendToStream('post-\ud800', [event({})])],
  ['no events', 'events', (s) => s.appendToStream('s', [])],
  ['events that are not an array', 'events', (s) => s.appendToStream('s', {} as unknown as NewEvent[])],
  ['an event that is not an object', 'events[0]', (s) => s.appendToStream('s', ['x' as unknown as NewEvent])],
  ['an empty type', 'events[0].type', (s) => s.appendToStream('s', [{ type: '', data: {} }])],
  ['a type of 256 characters', 'events[0].type', (s) => s.appendToStream('s', [{ type: 'T'.repeat(256), data: {} }])],
  ['a type with U+0000', 'events[0].type', (s) => s.appendToStream('s', [{ type: 'A\u0000', data: {} }])],
  ['a type with a lone surrogate', 'events[0].type', (s) => s.appendToStream('s', [{ type: 'A\udc00', data: {} }])],
  ['a missing type', 'events[0].type', (s) => s.appendToStream('s', [{ data: {} } as unknown as NewEvent])],
  ['a function in data', 'events[0].data.f', (s) => s.appendToStream('s', [event({ f: () => 1 })])],
  ['an undefined value in data', 'events[0].data.title', (s) => s.appendToStream('s', [event({ title: undefined })])],
  ['undefined data', 'events[0].data', (s) => s.appendToStream('s', [event(undefined)])],
  ['a BigInt in data', 'events[0].data.n', (s) => s.appendToStream('s', [event({ n: 10n })])],
  ['a cycle in data', 'events[0].data.self', (s) => s.appendToStream('s', [event(cycle)])],
  ['NaN in data', 'events[0].data.list[1]', (s) => s.appendToStream('s', [event({ list: [1, NaN] })])],
  ['Infinity in data', 'events[0].data.x', (s) => s.appendToStream('s', [event({ x: Infinity })])],
  ['a Date in data', 'events[0].data.at', (s) => s.appendToStream('s', [event({ at: new Date() })])],
  ['a Map in data', 'events[0].data.m', (s) => s.appendToStream('s', [event({ m: new Map() })])],
  ['a symbol in data', 'events[0].data.s', (s) => s.appendToStream('s', [event({ s: Symbol('x') })])],
  // eslint-disable-next-line no-sparse-arrays -- the hole is the bad input
  ['a hole in an array', 'events[0].data[1]', (s) => s.appendToStream('s', [event([1, , 3])])],
  ['metadata that is not an object', 'events[0].metadata', (s) => s.appendToStream('s', [{ type: 'A', data: {}, metadata: 'x' as unknown as Record<string, unknown> }])],
  ['a function in metadata', 'events[0].metadata.f', (s) => s.appendToStream('s', [{ type: 'A', data: {}, metadata: { f: () => 1 } }])],
  ['an eventId that is not a UUID', 'events[0].eventId', (s) => s.appendToStream('s', [{ type: 'A', data: {}, eventId: 'not-a-uuid' }])],
  ['a bad second event', 'events[1].data.n', (s) => s.appendToStream('s', [event({}), event({ n: NaN })])],
  ['a negative expected version', 'expectedVersion', (s) => s.appendToStream('s', [event({})], { expectedVersion: -1 })],
  ['a fractional expected version', 'expectedVersion', (s) => s.appendToStream('s', [event({})], { expectedVersion: 1.5 })],
  ['an expected version as a string', 'expectedVersion', (s) => s.appendToStream('s', [event({})], { expectedVersion: '1' as unknown as number })],
  ['an unknown expected version', 'expectedVersion', (s) => s.appendToStream('s', [event({})], { expectedVersion: 'latest' as unknown as number })],
  ['a null expected version', 'expectedVersion', (s) => s.appendToStream('s', [event({})], { expectedVersion: null as unknown as number })],
];

const BAD_READS: readonly [string, string, Attempt][] = [
  ['readStream of an empty stream id', 'streamId', (s) => s.readStream('')],
  ['readStream from a negative version', 'fromVersion', (s) => s.readStream('s', { fromVersion: -1 })],
  ['foldStream from version 0', 'fromVersion', (s) => s.foldStream('s', 0, (n) => n, { fromVersion: 0 })],
  ['foldStream of an empty stream id', 'streamId', (s) => s.foldStream('', 0, (n) => n)],
  ['readStream of 0 events', 'maxCount', (s) => s.readStream('s', { maxCount: 0 })],
  ['readStream in an unknown direction', 'direction', (s) => s.readStream('s', { direction: 'up' as 'forward' })],
  ['readAll after a fractional position', 'after', async (s) => s.readAll({ after: 1.5 })],
  ['readAll after a negative position', 'after', async (s) => s.readAll({ after: -1 })],
  ['readAll in batches of 0', 'batchSize', async (s) => s.readAll({ batchSize: 0 })],
  ['readAllPage after a negative position', 'after', (s) => s.readAllPage({ after: -1 })],
  ['listStreams after an empty stream id', 'after', async (s) => s.listStreams({ after: '' })],
  ['readAll with types that are not an array', 'types', async (s) => s.readAll({ types: 'A' as unknown as string[] })],
  ['readAll with an empty type', 'types[0]', async (s) => s.readAll({ types: [''] })],
  ['readAll with an empty stream prefix', 'streamPrefix', async (s) => s.readAll({ streamPrefix: '' })],
];

export function badInputCases(options: ConformanceOptions): void {
  for (const [what, field, attempt] of [...BAD_APPENDS, ...BAD_READS]) {
    defineCase(options, `refuses ${what} with a ValidationError naming ${field}, writing nothing`, async (store) => {
      await store.appendToStream('s', [event({ before: true })]);
      await assert.rejects(attempt(store), (error) => {
        assert.ok(error instanceof ValidationError, `${String(error)} is a ValidationError`);
        assert.equal(error.code, 'VALIDATION_FAILED');
        assert.equal(error.field, field);
        assert.ok(error.message.startsWith(`${field}: `), error.message);
        return true;
      });
      assert.equal(await countAll(store), 1);
    });
  }

  defineCase(options, 'refuses an event over 1 MiB with EventTooLargeError, writing nothing', async (store) => {
    const body = 'x'.repeat(1024 * 1024);
    await assert.rejects(store.appendToStream('s', [event({}), event({ body })]), (error) => {
      assert.ok(error instanceof EventTooLargeError);
      assert.equal(error.code, 'EVENT_TOO_LARGE');
      assert.equal(error.field, 'events[1]');
      assert.equal(error.limit, 1024 * 1024);
      return true;
    });
    assert.equal(await countAll(store), 0);
    // Just under the limit is fine ({"body":"…"} adds 11 bytes).
    await store.appendToStream('s', [event({ body: body.slice(11) })]);
    assert.equal(await countAll(store), 1);
  });

  defineCase(options, 'counts an event in the bytes of its JSON text, escapes and multi-byte characters included', async (store) => {
    // {"body":"…"} is 11 bytes; each \u0001 is 6 bytes of JSON, each é 2 and each 😀 4.
    const body = (units: number) => '\u0001é😀'.repeat(units);
    const bytes = (units: number) => 11 + units * 12;
    const within = Math.floor((1024 * 1024 - 11) / 12);
    await assert.rejects(store.appendToStream('s', [event({ body: body(within + 1) })]), (error) => {
      assert.ok(error instanceof EventTooLargeError);
      assert.equal(error.bytes, bytes(within + 1));
      return true;
    });
    assert.equal(await countAll(store), 0);
    await store.appendToStream('s', [event({ body: body(within) })]);
    assert.equal(await countAll(store), 1);
  });

  defineProcessCase(options, 'opened with create: false, a store that does not exist is refused and none is made', async (url) => {
    const refused = (error: unknown) => error instanceof StoreOpenError && /there is no store there/.test(error.message);
    await assert.rejects(openEventStore(url, { create: false }), refused);
    // Had the first attempt made the store, this one would open it.
    await assert.rejects(openEventStore(url, { create: false }), refused);
    const created = await openEventStore(url);
    await created.appendToStream('s', [event({})]);
    await created.close();
    const existing = await openEventStore(url, { create: false });
    assert.equal(await existing.headPosition(), 1);
    await existing.close();
  });
}
