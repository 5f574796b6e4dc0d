// handleCommand: load, fold, decide, append at exactly the version decided on, and
// decide again when another writer got there first.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handleCommand, type Decider } from '../../../src/commands/index.js';
import { ConcurrencyError, openEventStore, type EventStore } from '../../../src/index.js';
import { postDecider, type PostCommand, type PostEvent } from '../../../examples/blog/index.js';

type Added = { type: 'Added'; data: { amount: number } };

/** The smallest decider: a running total, where adding 0 decides nothing. */
const tally: Decider<number, { amount: number }, Added> = {
  initialState: () => 0,
  evolve: (total, event) => total + event.data.amount,
  decide: ({ amount }) => (amount === 0 ? [] : [{ type: 'Added', data: { amount } }]),
};

const post = { postId: 'hello', title: 'Hello', body: 'The first post.', authorId: 'ada' };
const created: PostEvent = { type: 'PostWasCreated', data: post };
const edited: PostEvent = { type: 'PostWasEdited', data: { postId: 'hello', title: 'Hello again', body: post.body } };
const published: PostEvent = { type: 'PostWasPublished', data: { postId: 'hello' } };
const publish: PostCommand = { type: 'PublishPost', postId: 'hello' };

async function storeWith(events: Record<string, PostEvent[] | Added[]> = {}): Promise<EventStore> {
  const store = await openEventStore('memory:');
  for (const [streamId, stream] of Object.entries(events)) await store.appendToStream(streamId, stream);
  return store;
}

async function typesIn(store: EventStore, streamId: string): Promise<string[]> {
  return (await store.readStream(streamId)).map((e) => e.type);
}

/**
 * A store where another writer appends `competing` to the stream just before each of
 * the next `times` appends: the version handleCommand decided on is always stale.
 */
function overtaken(store: EventStore, competing: PostEvent | Added, times: number) {
  let attempts = 0;
  const wrapped: EventStore = {
    ...store,
    async appendToStream(streamId, events, options) {
      attempts++;
      if (attempts <= times) await store.appendToStream(streamId, [competing]);
      return store.appendToStream(streamId, events, options);
    },
  };
  return { store: wrapped, attempts: () => attempts };
}

describe('handling a command', () => {
  test('on a new stream, the events are appended from version 1', async () => {
    const store = await storeWith();

    const result = await handleCommand(store, 'tally', tally, { amount: 5 });

    assert.deepEqual(result.events.map((e) => [e.streamId, e.version, e.type, e.data]), [['tally', 1, 'Added', { amount: 5 }]]);
    assert.equal(result.nextExpectedVersion, 1);
    assert.equal(result.lastPosition, result.events[0]!.position);
    assert.equal(result.state, 5);
  });

  test('on an existing stream, the events follow its last version and come back as recorded', async () => {
    const store = await storeWith({ 'post-other': [created], 'post-hello': [created] });

    const result = await handleCommand(store, 'post-hello', postDecider, publish);

    const [recorded] = await store.readStream('post-hello', { fromVersion: 2 });
    assert.deepEqual(result.events, [recorded]);
    assert.equal(result.nextExpectedVersion, 2);
    assert.equal(result.lastPosition, 3);
    assert.equal(result.state.status, 'published');
  });

  test('a decision of no events appends nothing and reports the stream as it is', async () => {
    const store = await storeWith({ other: [{ type: 'Added', data: { amount: 1 } }], tally: [{ type: 'Added', data: { amount: 2 } }] });

    const result = await handleCommand(store, 'tally', tally, { amount: 0 });

    assert.deepEqual(result, { streamId: 'tally', events: [], nextExpectedVersion: 1, lastPosition: 2, state: 2 });
    assert.equal((await store.stats()).events, 2);
  });

  test('a refused command throws the decider\'s error and writes nothing', async () => {
    const store = await storeWith({ 'post-hello': [created, published] });

    await assert.rejects(handleCommand(store, 'post-hello', postDecider, publish), {
      name: 'DomainError',
      message: 'Post is already published',
    });

    assert.deepEqual(await typesIn(store, 'post-hello'), ['PostWasCreated', 'PostWasPublished']);
  });

  test('a bad command is refused by decide, naming the field, and writes nothing', async () => {
    const store = await storeWith({ 'post-hello': [created] });

    await assert.rejects(handleCommand(store, 'post-hello', postDecider, { ...publish, postId: '' }), {
      name: 'ValidationError',
      field: 'postId',
    });

    assert.equal((await store.stats()).events, 1);
  });
});

describe('when another writer appends between load and append', () => {
  test('the command is decided again on the fresh stream and appended after the other event', async () => {
    const { store, attempts } = overtaken(await storeWith({ 'post-hello': [created] }), edited, 1);

    const result = await handleCommand(store, 'post-hello', postDecider, publish);

    assert.equal(attempts(), 2);
    assert.deepEqual(await typesIn(store, 'post-hello'), ['PostWasCreated', 'PostWasEdited', 'PostWasPublished']);
    assert.equal(result.events[0]!.version, 3);
    assert.deepEqual(result.state, { ...post, status: 'published', title: 'Hello again' });
  });

  test('a decision the other writer made void is refused on the retry', async () => {
    const { store } = overtaken(await storeWith({ 'post-hello': [created] }), published, 1);

    await assert.rejects(handleCommand(store, 'post-hello', postDecider, publish), { message: 'Post is already published' });

    assert.deepEqual(await typesIn(store, 'post-hello'), ['PostWasCreated', 'PostWasPublished']);
  });

  test('two commands handled at once both land, one after the other', async () => {
    // Nobody competes here but the two commands themselves.
    const { store, attempts } = overtaken(await storeWith(), { type: 'Added', data: { amount: 0 } }, 0);

    const [a, b] = await Promise.all([
      handleCommand(store, 'tally', tally, { amount: 1 }),
      handleCommand(store, 'tally', tally, { amount: 10 }),
    ]);

    assert.equal(attempts(), 3, 'both decided on version 0, so one of them had to decide again');
    assert.deepEqual([a.nextExpectedVersion, b.nextExpectedVersion].sort(), [1, 2]);
    assert.equal(Math.max(a.state, b.state), 11);
    assert.equal((await store.readStream('tally')).length, 2);
  });

  test('after maxRetries retries the ConcurrencyError is thrown and nothing of ours is written', async () => {
    const competing: Added = { type: 'Added', data: { amount: 100 } };
    const { store, attempts } = overtaken(await storeWith(), competing, Infinity);

    await assert.rejects(handleCommand(store, 'tally', tally, { amount: 1 }, { maxRetries: 2 }), ConcurrencyError);

    assert.equal(attempts(), 3);
    const amounts = (await store.readStream('tally')).map((e) => (e.data as Added['data']).amount);
    assert.deepEqual(amounts, [100, 100, 100]);
  });

  test('by default the command is tried four times: once and three retries', async () => {
    const { store, attempts } = overtaken(await storeWith(), { type: 'Added', data: { amount: 100 } }, Infinity);

    await assert.rejects(handleCommand(store, 'tally', tally, { amount: 1 }), ConcurrencyError);

    assert.equal(attempts(), 4);
  });

  test('with maxRetries 0 the first conflict is thrown', async () => {
    const { store, attempts } = overtaken(await storeWith(), { type: 'Added', data: { amount: 100 } }, 1);

    await assert.rejects(handleCommand(store, 'tally', tally, { amount: 1 }, { maxRetries: 0 }), ConcurrencyError);

    assert.equal(attempts(), 1);
  });
});

describe('with an expectedVersion from the caller', () => {
  test('a stream at that version takes the command, appended at exactly that version', async () => {
    const { store, attempts } = overtaken(await storeWith({ 'post-hello': [created] }), edited, 0);

    const result = await handleCommand(store, 'post-hello', postDecider, publish, { expectedVersion: 1 });

    assert.equal(attempts(), 1);
    assert.deepEqual(result.events.map((e) => [e.version, e.type]), [[2, 'PostWasPublished']]);
    assert.equal(result.nextExpectedVersion, 2);
  });

  test('0 means no stream yet: a new stream takes the command', async () => {
    const store = await storeWith();

    const result = await handleCommand(store, 'tally', tally, { amount: 5 }, { expectedVersion: 0 });

    assert.equal(result.nextExpectedVersion, 1);
  });

  test('a stream at another version is refused with ConcurrencyError, before deciding, and nothing is written', async () => {
    const store = await storeWith({ 'post-hello': [created, edited] });

    await assert.rejects(handleCommand(store, 'post-hello', postDecider, publish, { expectedVersion: 1 }), (error: unknown) => {
      assert.ok(error instanceof ConcurrencyError);
      assert.deepEqual([error.streamId, error.expected, error.actual], ['post-hello', 1, 2]);
      return true;
    });

    assert.deepEqual(await typesIn(store, 'post-hello'), ['PostWasCreated', 'PostWasEdited']);
  });

  test('a stream that does not exist yet is at version 0, not at the version expected', async () => {
    const store = await storeWith();

    await assert.rejects(handleCommand(store, 'post-hello', postDecider, publish, { expectedVersion: 3 }), { name: 'ConcurrencyError', actual: 0 });

    assert.equal((await store.stats()).events, 0);
  });

  test('another writer overtaking between load and append is not retried: the ConcurrencyError is thrown', async () => {
    const { store, attempts } = overtaken(await storeWith({ 'post-hello': [created] }), edited, 1);

    await assert.rejects(handleCommand(store, 'post-hello', postDecider, publish, { expectedVersion: 1 }), ConcurrencyError);

    assert.equal(attempts(), 1);
    assert.deepEqual(await typesIn(store, 'post-hello'), ['PostWasCreated', 'PostWasEdited']);
  });

  for (const expectedVersion of [-1, 1.5, '1', null, 'no_stream']) {
    test(`expectedVersion ${JSON.stringify(expectedVersion)} is refused, naming expectedVersion, and writes nothing`, async () => {
      const store = await storeWith();

      await assert.rejects(handleCommand(store, 'tally', tally, { amount: 1 }, { expectedVersion } as never), {
        name: 'ValidationError',
        field: 'expectedVersion',
      });

      assert.equal((await store.stats()).events, 0);
    });
  }
});

describe('bad input to handleCommand', () => {
  for (const maxRetries of [-1, 1.5, Number.NaN, '3', null]) {
    const shown = typeof maxRetries === 'string' ? JSON.stringify(maxRetries) : String(maxRetries);
    test(`maxRetries ${shown} is refused, naming maxRetries, and writes nothing`, async () => {
      const store = await storeWith();

      await assert.rejects(handleCommand(store, 'tally', tally, { amount: 1 }, { maxRetries } as never), {
        name: 'ValidationError',
        field: 'maxRetries',
      });

      assert.equal((await store.stats()).events, 0);
    });
  }

  for (const commandId of ['not-a-uuid', '', 42]) {
    test(`commandId ${JSON.stringify(commandId)} is refused, naming commandId, and writes nothing`, async () => {
      const store = await storeWith();

      await assert.rejects(handleCommand(store, 'tally', tally, { amount: 1 }, { commandId } as never), {
        name: 'ValidationError',
        field: 'commandId',
      });

      assert.equal((await store.stats()).events, 0);
    });
  }

  test('options that are not an object are refused, naming options', async () => {
    await assert.rejects(handleCommand(await storeWith(), 'tally', tally, { amount: 1 }, 3 as never), {
      name: 'ValidationError',
      field: 'options',
    });
  });

  test('a decider without decide is refused, naming decider', async () => {
    const { initialState, evolve } = tally;

    await assert.rejects(handleCommand(await storeWith(), 'tally', { initialState, evolve } as never, { amount: 1 }), {
      name: 'ValidationError',
      field: 'decider',
    });
  });

  test('a decide that returns something other than an array is refused, naming decide', async () => {
    const store = await storeWith();
    const broken = { ...tally, decide: () => ({ type: 'Added', data: { amount: 1 } }) } as never;

    await assert.rejects(handleCommand(store, 'tally', broken, { amount: 1 }), { name: 'ValidationError', field: 'decide' });

    assert.equal((await store.stats()).events, 0);
  });

  test('an empty stream id is refused, naming streamId', async () => {
    await assert.rejects(handleCommand(await storeWith(), '', tally, { amount: 1 }), {
      name: 'ValidationError',
      field: 'streamId',
    });
  });
});
