// The contract every store keeps: versions, positions, expected versions, atomic
// appends, idempotent retries, reading a stream and reading all.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConcurrencyError, DuplicateEventError, StoreClosedError, ValidationError } from '../../core/errors.js';
import { isUuid } from '../../core/uuid.js';
import { collect, countAll, defineCase, type ConformanceOptions } from './suite.js';

const created = (postId: string, title = 'Hello') => ({ type: 'PostWasCreated', data: { postId, title } });
const published = (postId: string) => ({ type: 'PostWasPublished', data: { postId } });

export function contractCases(options: ConformanceOptions): void {
  const it = (name: string, body: Parameters<typeof defineCase>[2]) => defineCase(options, name, body);

  it('records the first events of a stream as versions 1, 2, … with increasing positions', async (store) => {
    const result = await store.appendToStream('post-1', [created('1'), published('1')], { expectedVersion: 'no_stream' });
    assert.equal(result.nextExpectedVersion, 2);

    const events = await store.readStream('post-1');
    assert.deepEqual(events.map((e) => [e.streamId, e.version, e.type]), [
      ['post-1', 1, 'PostWasCreated'],
      ['post-1', 2, 'PostWasPublished'],
    ]);
    assert.ok(events[0]!.position < events[1]!.position);
    assert.equal(result.lastPosition, events[1]!.position);
    for (const e of events) {
      assert.ok(isUuid(e.eventId), `eventId ${e.eventId} is a UUID`);
      assert.ok(e.recordedAt instanceof Date && !Number.isNaN(e.recordedAt.getTime()));
      assert.equal(typeof e.version, 'number');
      assert.equal(typeof e.position, 'number');
    }
    assert.deepEqual(events[0]!.data, { postId: '1', title: 'Hello' });
    assert.equal(events[0]!.metadata, undefined);
  });

  it('keeps the eventId and metadata it is given', async (store) => {
    const eventId = randomUUID();
    const metadata = { correlationId: 'c-1', causation: { by: 'test' }, tags: ['a', 'b'] };
    await store.appendToStream('post-1', [{ ...created('1'), eventId, metadata }]);
    const [event] = await store.readStream('post-1');
    assert.equal(event!.eventId, eventId);
    assert.deepEqual(event!.metadata, metadata);
  });

  it('gives positions that increase across streams, in append order', async (store) => {
    await store.appendToStream('post-1', [created('1')]);
    await store.appendToStream('post-2', [created('2')]);
    await store.appendToStream('post-1', [published('1')]);
    const all = await collect(store.readAll());
    assert.deepEqual(all.map((e) => `${e.streamId}@${e.version}`), ['post-1@1', 'post-2@1', 'post-1@2']);
    for (let i = 1; i < all.length; i++) assert.ok(all[i]!.position > all[i - 1]!.position);
  });

  it('folds a stream in version order, a page at a time, from any version', async (store) => {
    // 2,500 events: more than two of foldStream's pages.
    for (let i = 0; i < 5; i++) {
      await store.appendToStream('counter', Array.from({ length: 500 }, (_, k) => ({ type: 'Added', data: { n: i * 500 + k + 1 } })));
    }
    const sum = (total: number[], event: { version: number; data: unknown }) => {
      assert.equal(event.version, (event.data as { n: number }).n, 'events arrive in version order');
      return [total[0]! + (event.data as { n: number }).n];
    };
    const all = await store.foldStream('counter', [0], sum);
    assert.deepEqual(all.state, [(2500 * 2501) / 2]);
    assert.deepEqual([all.firstVersion, all.version, all.events], [1, 2500, 2500]);
    const [last] = await store.readStream('counter', { direction: 'backward', maxCount: 1 });
    assert.equal(all.lastPosition, last!.position);

    const tail = await store.foldStream('counter', [0], sum, { fromVersion: 2001 });
    assert.deepEqual([tail.state, tail.firstVersion, tail.events], [[(2001 + 2500) * 250], 2001, 500]);
  });

  it('reads all events a page at a time with readAllPage, as readAll gives them', async (store) => {
    for (let i = 1; i <= 5; i++) await store.appendToStream(`post-${i}`, [created(String(i)), published(String(i))]);
    const all = await collect(store.readAll({ types: ['PostWasPublished'] }));
    const first = await store.readAllPage({ types: ['PostWasPublished'], batchSize: 3 });
    const second = await store.readAllPage({ types: ['PostWasPublished'], batchSize: 3, after: first.at(-1)!.position });
    assert.deepEqual([...first, ...second], all);
    assert.deepEqual([first.length, second.length], [3, 2]);
    assert.deepEqual(await store.readAllPage({ after: all.at(-1)!.position }), []);
  });

  it('folds a stream with no events into its initial state', async (store) => {
    const folded = await store.foldStream('post-missing', 'initial', () => 'changed');
    assert.deepEqual(folded, { state: 'initial', firstVersion: 0, version: 0, lastPosition: 0, events: 0 });
  });

  it('lists streams in id order, from the start or after a given id', async (store) => {
    for (const id of ['b', 'a', 'c', 'ab']) await store.appendToStream(id, [created(id)]);
    const ids = async (options?: { after?: string; batchSize?: number }) => (await collect(store.listStreams(options))).map((s) => s.streamId);
    assert.deepEqual(await ids({ batchSize: 1 }), ['a', 'ab', 'b', 'c']);
    assert.deepEqual(await ids({ after: 'ab' }), ['b', 'c']);
    assert.deepEqual(await ids({ after: 'aa', batchSize: 1 }), ['ab', 'b', 'c']);
    assert.deepEqual(await ids({ after: 'c' }), []);
  });

  it('reads a long stream whole and in parts, across the pages a store may read it in', async (store) => {
    for (let from = 0; from < 2500; from += 500) {
      await store.appendToStream('long', Array.from({ length: 500 }, (_, i) => ({ type: 'N', data: { n: from + i + 1 } })));
    }
    const versions = async (o: Parameters<typeof store.readStream>[1]) => (await store.readStream('long', o)).map((e) => e.version);
    const run = (first: number, count: number, step = 1) => Array.from({ length: count }, (_, i) => first + i * step);
    assert.deepEqual(await versions({}), run(1, 2500));
    assert.deepEqual(await versions({ fromVersion: 700, maxCount: 1500 }), run(700, 1500));
    assert.deepEqual(await versions({ fromVersion: 1001, maxCount: 1000 }), run(1001, 1000));
    assert.deepEqual(await versions({ direction: 'backward', maxCount: 1200 }), run(2500, 1200, -1));
    assert.deepEqual(await versions({ direction: 'backward', fromVersion: 1100 }), run(1100, 1100, -1));
    assert.deepEqual((await store.readStream('long', { fromVersion: 2000 })).map((e) => (e.data as { n: number }).n), run(2000, 501));
  });

  it('hands every reader events of its own: changing one read changes nothing stored', async (store) => {
    await store.appendToStream('post-1', [created('1')]);
    const [read] = await store.readStream('post-1');
    read!.data = { postId: 'changed' };
    read!.type = 'Changed';
    read!.recordedAt.setTime(0);
    const [page] = await store.readAllPage();
    page!.version = 99;
    for (const again of [...(await store.readStream('post-1')), ...(await collect(store.readAll()))]) {
      assert.deepEqual([again.type, again.version, again.data], ['PostWasCreated', 1, { postId: '1', title: 'Hello' }]);
      assert.notEqual(again.recordedAt.getTime(), 0);
    }
  });

  it('keeps what was appended: changing the objects given or read, nested parts included, changes nothing stored', async (store) => {
    const data = { post: { title: 'Hello', tags: ['a'] } };
    const metadata = { by: { name: 'ada' } };
    await store.appendToStream('post-1', [{ type: 'Tagged', data, metadata }]);
    data.post.title = 'changed';
    data.post.tags.push('b');
    metadata.by.name = 'changed';
    const [read] = await store.readStream('post-1');
    (read!.data as typeof data).post.tags.push('c');
    (read!.metadata as typeof metadata).by.name = 'changed';
    await store.foldStream('post-1', null, (_, event) => ((event.data as typeof data).post.title = 'folded', null));
    for (const again of [...(await store.readStream('post-1')), ...(await store.readAllPage())]) {
      assert.deepEqual([again.data, again.metadata], [{ post: { title: 'Hello', tags: ['a'] } }, { by: { name: 'ada' } }]);
    }
  });

  it('reads a stream with no events as []', async (store) => {
    assert.deepEqual(await store.readStream('post-missing'), []);
  });

  it('reads part of a stream forward and backward', async (store) => {
    await store.appendToStream('s', [1, 2, 3, 4, 5].map((n) => ({ type: 'N', data: { n } })));
    const versions = async (o: Parameters<typeof store.readStream>[1]) => (await store.readStream('s', o)).map((e) => e.version);
    assert.deepEqual(await versions({ fromVersion: 2, maxCount: 2 }), [2, 3]);
    assert.deepEqual(await versions({ fromVersion: 4 }), [4, 5]);
    assert.deepEqual(await versions({ fromVersion: 9 }), []);
    assert.deepEqual(await versions({ direction: 'backward' }), [5, 4, 3, 2, 1]);
    assert.deepEqual(await versions({ direction: 'backward', maxCount: 2 }), [5, 4]);
    assert.deepEqual(await versions({ direction: 'backward', fromVersion: 3, maxCount: 5 }), [3, 2, 1]);
  });

  it('accepts every expected version that matches the stream', async (store) => {
    await store.appendToStream('s', [created('1')], { expectedVersion: 'no_stream' });
    await store.appendToStream('s', [published('1')], { expectedVersion: 'stream_exists' });
    await store.appendToStream('s', [published('1')], { expectedVersion: 2 });
    await store.appendToStream('s', [published('1')], { expectedVersion: 'any' });
    await store.appendToStream('t', [created('2')], { expectedVersion: 0 });
    assert.equal((await store.readStream('s')).length, 4);
    assert.equal((await store.readStream('t')).length, 1);
  });

  for (const [expected, setUp, actual] of [
    ['no_stream', true, 1],
    ['stream_exists', false, 0],
    [0, true, 1],
    [2, true, 1],
    [1, false, 0],
  ] as const) {
    it(`refuses expected version ${JSON.stringify(expected)} on a stream at ${actual}, writing nothing`, async (store) => {
      if (setUp) await store.appendToStream('s', [created('1')]);
      await assert.rejects(store.appendToStream('s', [published('1')], { expectedVersion: expected }), (error) => {
        assert.ok(error instanceof ConcurrencyError);
        assert.equal(error.code, 'CONCURRENCY_CONFLICT');
        assert.equal(error.streamId, 's');
        assert.equal(error.expected, expected);
        assert.equal(error.actual, actual);
        return true;
      });
      assert.equal((await store.readStream('s')).length, actual);
      assert.equal(await countAll(store), actual);
    });
  }

  it('keeps the stream usable after a refused append', async (store) => {
    await store.appendToStream('s', [created('1')]);
    await assert.rejects(store.appendToStream('s', [published('1')], { expectedVersion: 5 }), ConcurrencyError);
    const result = await store.appendToStream('s', [published('1')], { expectedVersion: 1 });
    assert.equal(result.nextExpectedVersion, 2);
  });

  it('answers a retried append with the original result and writes nothing', async (store) => {
    await store.appendToStream('other', [created('0')]);
    const events = [
      { ...created('1'), eventId: randomUUID() },
      { ...published('1'), eventId: randomUUID() },
    ];
    const first = await store.appendToStream('post-1', events, { expectedVersion: 'no_stream' });
    const retry = await store.appendToStream('post-1', events, { expectedVersion: 'no_stream' });
    assert.deepEqual(retry, first);
    assert.equal(await countAll(store), 3);
    // Upper-case spelling of the same ids is the same event.
    const shouted = events.map((e) => ({ ...e, eventId: e.eventId.toUpperCase() }));
    assert.deepEqual(await store.appendToStream('post-1', shouted), first);
    assert.equal(await countAll(store), 3);
  });

  it('refuses an eventId stored elsewhere with DuplicateEventError, writing nothing', async (store) => {
    const eventId = randomUUID();
    await store.appendToStream('post-1', [{ ...created('1'), eventId }]);
    // In another stream.
    await assert.rejects(store.appendToStream('post-2', [{ ...created('2'), eventId }]), (error) => {
      assert.ok(error instanceof DuplicateEventError);
      assert.equal(error.code, 'DUPLICATE_EVENT');
      return true;
    });
    // Beside a new event: not a retry of one append.
    await assert.rejects(
      store.appendToStream('post-1', [{ ...published('1'), eventId: randomUUID() }, { ...created('1'), eventId }]),
      DuplicateEventError,
    );
    // Twice in one append.
    const twice = randomUUID();
    await assert.rejects(
      store.appendToStream('post-3', [{ ...created('3'), eventId: twice }, { ...published('3'), eventId: twice }]),
      DuplicateEventError,
    );
    assert.equal(await countAll(store), 1);
    assert.deepEqual(await store.readStream('post-2'), []);
  });

  it('gives every event appended without an id one of its own, which no other event has', async (store) => {
    await store.appendToStream('post-1', [created('1'), published('1')]);
    await store.appendToStream('post-2', [created('2'), { ...published('2'), eventId: randomUUID() }, published('2')]);
    const ids = (await collect(store.readAll())).map((e) => e.eventId);
    assert.equal(new Set(ids).size, 5);
    for (const id of ids) assert.ok(isUuid(id) && id === id.toLowerCase(), `eventId ${id} is a UUID in lower case`);
    // Reading again gives the same ids.
    assert.deepEqual((await collect(store.readAll())).map((e) => e.eventId), ids);
  });

  it('knows the ids it gave: appending those events again is a retry there and a duplicate elsewhere', async (store) => {
    await store.appendToStream('post-1', [created('1'), published('1')]);
    const stored = await store.readStream('post-1');
    const again = stored.map(({ type, data, eventId }) => ({ type, data, eventId }));
    assert.deepEqual(await store.appendToStream('post-1', again), { nextExpectedVersion: 2, lastPosition: stored[1]!.position });
    await assert.rejects(store.appendToStream('post-2', again.slice(0, 1)), (error) => {
      assert.ok(error instanceof DuplicateEventError);
      assert.equal(error.eventId, stored[0]!.eventId);
      return true;
    });
    // Beside an event without an id: not a retry of one append.
    await assert.rejects(store.appendToStream('post-1', [again[1]!, published('1')]), DuplicateEventError);
    assert.equal(await countAll(store), 2);
  });

  it('never gives an id twice, even to a caller who brings ids shaped like the ones it gives', async (store) => {
    await store.appendToStream('post-1', [created('1')]);
    const [first] = await store.readStream('post-1');
    // A store that names events after their positions (as Eventline's do) would name
    // positions 3 and 2**40 with these, if it named them that way: replaying events
    // into a restored copy of a store can bring such ids before the store reaches them.
    const likeOwn = (position: number) =>
      `${position.toString(16).padStart(15, '0').replace(/^(.{8})(.{4})(.{3})$/, '$1-$2-8$3')}-${first!.eventId.slice(19)}`;
    const third = likeOwn(3);
    const far = likeOwn(2 ** 40);
    const given = await store.appendToStream('post-2', [{ ...created('2'), eventId: third }, { ...published('2'), eventId: far }]);
    await store.appendToStream('post-3', [created('3'), published('3')]);
    const all = await collect(store.readAll());
    assert.equal(new Set(all.map((e) => e.eventId)).size, 5, 'five events, five ids');
    assert.deepEqual(all.filter((e) => e.streamId === 'post-2').map((e) => e.eventId), [third, far]);
    assert.ok(all.every((e) => e.position < 2 ** 40), 'positions go on from where they were');
    // Those ids are the given events', as any other: a retry there, a duplicate elsewhere.
    assert.deepEqual(await store.appendToStream('post-2', [{ ...created('2'), eventId: third }, { ...published('2'), eventId: far }]), given);
    await assert.rejects(store.appendToStream('post-4', [{ ...created('4'), eventId: third }]), DuplicateEventError);
    assert.equal(await countAll(store), 5);
  });

  it('appends all events of an append or none', async (store) => {
    const taken = randomUUID();
    await store.appendToStream('a', [{ ...created('a'), eventId: taken }]);
    const batch = [created('b'), published('b'), { ...published('b'), eventId: taken }];
    await assert.rejects(store.appendToStream('b', batch), DuplicateEventError);
    assert.deepEqual(await store.readStream('b'), []);
    assert.equal(await countAll(store), 1);
  });

  it('reads all events after a position, in batches, in position order', async (store) => {
    for (let i = 1; i <= 7; i++) await store.appendToStream(`post-${i % 3}`, [created(String(i))]);
    const all = await collect(store.readAll({ batchSize: 2 }));
    assert.equal(all.length, 7);
    const after = all[2]!.position;
    const rest = await collect(store.readAll({ after, batchSize: 3 }));
    assert.deepEqual(rest.map((e) => e.position), all.slice(3).map((e) => e.position));
    assert.deepEqual(await collect(store.readAll({ after: all[6]!.position })), []);
  });

  it('reads nothing from an empty store', async (store) => {
    assert.deepEqual(await collect(store.readAll()), []);
    assert.deepEqual(await collect(store.listStreams()), []);
    assert.deepEqual(await store.stats().then((s) => [s.events, s.streams]), [0, 0]);
  });

  it('filters reading all by event type', async (store) => {
    await store.appendToStream('post-1', [created('1'), published('1')]);
    await store.appendToStream('post-2', [created('2')]);
    const types = async (t: string[]) => (await collect(store.readAll({ types: t, batchSize: 1 }))).map((e) => e.streamId);
    assert.deepEqual(await types(['PostWasPublished']), ['post-1']);
    assert.deepEqual(await types(['PostWasCreated']), ['post-1', 'post-2']);
    assert.deepEqual(await types(['PostWasCreated', 'PostWasPublished']), ['post-1', 'post-1', 'post-2']);
    assert.deepEqual(await types(['Nothing']), []);
  });

  it('treats % and _ in a stream prefix as ordinary characters, and case as significant', async (store) => {
    for (const id of ['post-1', 'post_1', 'post%1', 'Post-2', 'postX1', 'comment-1', 'post-😀']) {
      await store.appendToStream(id, [created(id)]);
    }
    const ids = async (streamPrefix: string) => (await collect(store.readAll({ streamPrefix }))).map((e) => e.streamId);
    assert.deepEqual(await ids('post-'), ['post-1', 'post-😀']);
    assert.deepEqual(await ids('post_'), ['post_1']);
    assert.deepEqual(await ids('post%'), ['post%1']);
    assert.deepEqual(await ids('Post'), ['Post-2']);
    assert.deepEqual(await ids('post-😀'), ['post-😀']);
    const both = await collect(store.readAll({ streamPrefix: 'post', types: ['PostWasCreated'] }));
    assert.equal(both.length, 5);
  });

  it('lists streams with their versions, and counts events and streams', async (store) => {
    await store.appendToStream('b', [created('b'), published('b')]);
    await store.appendToStream('a', [created('a')]);
    await store.appendToStream('😀', [created('x')]);
    await store.appendToStream('\uffff', [created('y')]);
    const streams = await collect(store.listStreams({ batchSize: 1 }));
    // Code-point order: U+FFFF sorts before U+1F600 in every store.
    assert.deepEqual(streams, [
      { streamId: 'a', version: 1 },
      { streamId: 'b', version: 2 },
      { streamId: '\uffff', version: 1 },
      { streamId: '😀', version: 1 },
    ]);
    const stats = await store.stats();
    assert.equal(stats.events, 5);
    assert.equal(stats.streams, 4);
    assert.ok(stats.bytes > 0);
  });

  it('carries text faithfully: U+0000, lone surrogates and astral characters in data', async (store) => {
    const data = { nul: 'a\u0000b', lone: 'x\ud800y', pair: '😀', escape: '"\\\n\t', unicode: 'Grüße, 世界' };
    await store.appendToStream('s', [{ type: 'Text', data, metadata: { note: '\u0000\udfff' } }]);
    const [event] = await store.readStream('s');
    assert.deepEqual(event!.data, data);
    assert.deepEqual(event!.metadata, { note: '\u0000\udfff' });
    const [fromAll] = await collect(store.readAll());
    assert.deepEqual(fromAll!.data, data);
  });

  it('accepts stream ids and types of exactly 255 characters, astral ones included', async (store) => {
    const longId = '😀'.repeat(255);
    const longType = 'T'.repeat(255);
    await store.appendToStream(longId, [{ type: longType, data: {} }]);
    const [event] = await store.readStream(longId);
    assert.equal(event!.streamId, longId);
    assert.equal(event!.type, longType);
  });

  it('carries numbers, booleans, nulls, nesting and empty values exactly', async (store) => {
    const data = { int: 42, neg: -7, float: 0.1 + 0.2, big: 2 ** 53 - 1, tiny: 5e-324, t: true, f: false, nil: null, nested: { a: [1, [2, { b: [] }]] }, empty: {}, list: [] };
    await store.appendToStream('s', [{ type: 'Values', data }, { type: 'Scalar', data: 'just a string' }, { type: 'Null', data: null }]);
    const events = await store.readStream('s');
    assert.deepEqual(events.map((e) => e.data), [data, 'just a string', null]);
  });

  it('carries data nested 200 levels deep, and refuses it with the path to a bad value at the bottom', async (store) => {
    const nest = (bottom: unknown) => Array.from({ length: 200 }).reduce<unknown>((inner) => ({ inner }), bottom);
    await store.appendToStream('s', [{ type: 'Deep', data: nest('end') }]);
    assert.deepEqual((await store.readStream('s'))[0]!.data, nest('end'));
    await assert.rejects(store.appendToStream('s', [{ type: 'Deep', data: nest(Number.NaN) }]), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.field, `events[0].data${'.inner'.repeat(200)}`);
      return true;
    });
    assert.equal((await store.readStream('s')).length, 1);
  });

  it('gives back what JSON text would: -0 as 0, plain objects, a __proto__ key as a property', async (store) => {
    const data = JSON.parse('{"b":1,"10":"ten","2":"two","__proto__":{"polluted":true}}') as Record<string, unknown>;
    const shared = { x: 1 };
    Object.assign(data, { zero: -0, bare: Object.assign(Object.create(null) as object, { y: 2 }), one: shared, two: shared });
    await store.appendToStream('s', [{ type: 'Edges', data }]);
    for (const event of [...(await store.readStream('s')), ...(await collect(store.readAll()))]) {
      const back = event.data as Record<string, unknown>;
      assert.deepEqual(back, JSON.parse(JSON.stringify(data)));
      assert.deepEqual(Object.keys(back), ['2', '10', 'b', '__proto__', 'zero', 'bare', 'one', 'two']);
      assert.equal(Object.getPrototypeOf(back), Object.prototype);
    }
  });

  it('refuses every call after close() with StoreClosedError', async (store) => {
    await store.close();
    await assert.rejects(store.appendToStream('s', [created('1')]), StoreClosedError);
    await assert.rejects(store.readStream('s'), StoreClosedError);
    assert.throws(() => store.readAll(), StoreClosedError);
  });
}
