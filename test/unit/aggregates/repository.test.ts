// The repository: load folds the stream into a fresh aggregate, save appends its
// pending events at the version it was loaded at, and a stale save is refused.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Aggregate,
  ConcurrencyError,
  createRepository,
  DomainError,
  everyNEvents,
  openEventStore,
  ValidationError,
  type EventStore,
} from '../../../src/index.js';

type Added = { type: 'Added'; data: { amount: number } };

/** The smallest aggregate: a running total that refuses amounts below 1. */
class Tally extends Aggregate<{ total: number }, Added> {
  constructor(id: string) {
    super(id, { total: 0 });
  }

  evolve(state: { total: number }, event: Added) {
    return { total: state.total + event.data.amount };
  }

  add(amount: number) {
    if (amount < 1) throw new DomainError('Only amounts of 1 or more');
    this.apply({ type: 'Added', data: { amount } });
  }
}

const tallies = (store: EventStore, options: { snapshots?: Parameters<typeof createRepository>[1]['snapshots'] } = {}) =>
  createRepository(store, { create: (id) => new Tally(id), streamIdOf: (id) => `tally-${id}`, ...options });

describe('a repository of aggregates', () => {
  test('an aggregate with no stream loads at version 0, in its initial state', async () => {
    const tally = await tallies(await openEventStore('memory:')).load('a');
    assert.deepEqual([tally.id, tally.version, tally.state, tally.pendingEvents], ['a', 0, { total: 0 }, []]);
  });

  test('apply changes the state at once; save appends the pending events and clears them', async () => {
    const store = await openEventStore('memory:');
    const repository = tallies(store);
    const tally = await repository.load('a');
    tally.add(2);
    tally.add(3);
    assert.deepEqual([tally.state, tally.pendingEvents.length, tally.version], [{ total: 5 }, 2, 0]);

    const result = await repository.save(tally);

    assert.deepEqual(result, { streamId: 'tally-a', nextExpectedVersion: 2, eventsAppended: 2 });
    assert.deepEqual([tally.version, tally.pendingEvents], [2, []]);
    assert.deepEqual((await store.readStream('tally-a')).map((e) => e.data), [{ amount: 2 }, { amount: 3 }]);
    assert.deepEqual((await repository.load('a')).state, { total: 5 });
  });

  test('a rule that refuses a command throws, and nothing is pending or written', async () => {
    const store = await openEventStore('memory:');
    const repository = tallies(store);
    const tally = await repository.load('a');
    assert.throws(() => tally.add(0), { name: 'DomainError', message: 'Only amounts of 1 or more' });
    assert.deepEqual(await repository.save(tally), { streamId: 'tally-a', nextExpectedVersion: 0, eventsAppended: 0 });
    assert.deepEqual(await store.readStream('tally-a'), []);
  });

  test('two copies loaded at the same version: the first save wins, the second is refused and writes nothing', async () => {
    const store = await openEventStore('memory:');
    const repository = tallies(store);
    const first = await repository.load('a');
    const second = await repository.load('a');
    first.add(1);
    second.add(10);
    await repository.save(first);

    await assert.rejects(repository.save(second), (error) => {
      assert.ok(error instanceof ConcurrencyError);
      assert.deepEqual([error.streamId, error.expected, error.actual], ['tally-a', 0, 1]);
      return true;
    });
    assert.equal((await store.readStream('tally-a')).length, 1);
    // The refused copy keeps its pending events; loading again gives the truth to retry on.
    assert.equal(second.pendingEvents.length, 1);
    const fresh = await repository.load('a');
    fresh.add(10);
    await repository.save(fresh);
    assert.deepEqual((await repository.load('a')).state, { total: 11 });
  });

  test('with snapshots, it loads from the newest one and takes them as the policy says', async () => {
    const store = await openEventStore('memory:');
    const repository = tallies(store, { snapshots: { schemaVersion: 1, policy: everyNEvents(5) } });
    for (let i = 0; i < 12; i++) {
      const tally = await repository.load('a');
      tally.add(1);
      await repository.save(tally);
    }
    assert.deepEqual((await store.snapshots.load('tally-a'))?.version, 10);
    const loaded = await repository.load('a');
    assert.deepEqual([loaded.state, loaded.version], [{ total: 12 }, 12]);
  });

  test('one aggregate saved several times keeps taking snapshots from where the last one was', async () => {
    const store = await openEventStore('memory:');
    const repository = tallies(store, { snapshots: { schemaVersion: 1, policy: everyNEvents(2) } });
    const tally = await repository.load('a');
    const versions: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      tally.add(1);
      await repository.save(tally);
      versions.push((await store.snapshots.load('tally-a'))?.version);
    }
    assert.deepEqual(versions, [undefined, 2, 2, 4, 4]);
  });

  test('create must be a function that returns an Aggregate', async () => {
    const store = await openEventStore('memory:');
    assert.throws(() => createRepository(store, {} as never), ValidationError);
    const wrong = createRepository(store, { create: () => ({ id: 'x' }) as never });
    await assert.rejects(wrong.load('x'), { name: 'ValidationError', field: 'create' });
  });
});
