// handleCommand and loadState with snapshots: when snapshots are taken, that a failed
// one never fails the command, and that a snapshot which cannot be trusted is ignored.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  everyNEvents,
  handleCommand,
  loadState,
  openEventStore,
  type Decider,
  type EventStore,
  type SnapshotOptions,
} from '../../../src/index.js';

type Added = { type: 'Added'; data: { amount: number } };
const tally: Decider<{ total: number }, { amount: number }, Added> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.amount }),
  decide: ({ amount }) => (amount === 0 ? [] : [{ type: 'Added', data: { amount } }]),
};

function collector() {
  const lines: string[] = [];
  return { lines, logger: { warn: (line: string) => void lines.push(line) } };
}

async function add(store: EventStore, amount: number, snapshots: SnapshotOptions) {
  return handleCommand(store, 'tally', tally, { amount }, { snapshots });
}

describe('handleCommand with snapshots', () => {
  test('given everyNEvents(3), ten commands leave snapshots at versions 3, 6 and 9', async () => {
    const store = await openEventStore('memory:');
    const taken: number[] = [];
    for (let i = 1; i <= 10; i++) {
      await add(store, i, { schemaVersion: 1, policy: everyNEvents(3) });
      const snapshot = await store.snapshots.load('tally');
      if (snapshot && snapshot.version !== taken.at(-1)) taken.push(snapshot.version);
    }
    assert.deepEqual(taken, [3, 6, 9]);
    assert.deepEqual((await store.snapshots.load('tally'))?.state, { total: 45 });
  });

  test('when the snapshot cannot be saved, the command succeeds and one line is logged', async () => {
    const store = await openEventStore('memory:');
    const broken: EventStore = {
      ...store,
      snapshots: { ...store.snapshots, save: () => Promise.reject(new Error('disk full\nwhile writing')) },
    };
    const { lines, logger } = collector();

    const result = await add(broken, 5, { schemaVersion: 1, policy: everyNEvents(1), logger });

    assert.equal(result.nextExpectedVersion, 1);
    assert.deepEqual(result.state, { total: 5 });
    assert.equal((await store.readStream('tally')).length, 1);
    assert.deepEqual(lines, ["eventline: no snapshot of stream 'tally' at version 1: disk full while writing"]);
  });

  test('a state that JSON cannot carry is not snapshotted, and the command still succeeds', async () => {
    const store = await openEventStore('memory:');
    const dated: Decider<{ at?: Date }, object, Added> = {
      initialState: () => ({}),
      evolve: () => ({ at: new Date() }),
      decide: () => [{ type: 'Added', data: { amount: 1 } }],
    };
    const { lines, logger } = collector();
    await handleCommand(store, 'dated', dated, {}, { snapshots: { schemaVersion: 1, policy: everyNEvents(1), logger } });
    assert.equal(await store.snapshots.load('dated'), undefined);
    assert.match(lines[0]!, /^eventline: no snapshot of stream 'dated' at version 1: state\.at: a Date is not a plain JSON object/);
  });

  test('the default logger is console.warn, one line', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const store = await openEventStore('memory:');
    const broken: EventStore = { ...store, snapshots: { ...store.snapshots, save: () => Promise.reject(new Error('nope')) } };
    await add(broken, 1, { schemaVersion: 1, policy: everyNEvents(1) });
    assert.deepEqual(warn.mock.calls.map((c) => c.arguments), [["eventline: no snapshot of stream 'tally' at version 1: nope"]]);
  });

  test('a command that decides nothing may still leave a snapshot behind a long load', async () => {
    const store = await openEventStore('memory:');
    await store.appendToStream('tally', Array.from({ length: 20 }, () => ({ type: 'Added', data: { amount: 1 } })));
    await add(store, 0, { schemaVersion: 1, policy: everyNEvents(10) });
    assert.equal((await store.snapshots.load('tally'))?.version, 20);
  });

  test('a refused command takes no snapshot', async () => {
    const store = await openEventStore('memory:');
    const refusing: Decider<number, object, Added> = {
      initialState: () => 0,
      evolve: (n) => n + 1,
      decide: () => {
        throw new Error('refused');
      },
    };
    await store.appendToStream('r', [{ type: 'Added', data: { amount: 1 } }]);
    await assert.rejects(handleCommand(store, 'r', refusing, {}, { snapshots: { schemaVersion: 1, policy: () => true } }), /refused/);
    assert.equal(await store.snapshots.load('r'), undefined);
  });

  test('bad snapshot options are a ValidationError naming the field, before anything is read', async () => {
    const store = await openEventStore('memory:');
    const attempt = (snapshots: unknown) => handleCommand(store, 'tally', tally, { amount: 1 }, { snapshots: snapshots as SnapshotOptions });
    await assert.rejects(attempt({}), { name: 'ValidationError', field: 'snapshots.schemaVersion' });
    await assert.rejects(attempt({ schemaVersion: 1, policy: 10 }), { name: 'ValidationError', field: 'snapshots.policy' });
    await assert.rejects(attempt({ schemaVersion: 1, logger: {} }), { name: 'ValidationError', field: 'snapshots.logger' });
    await assert.rejects(attempt('yes'), { name: 'ValidationError', field: 'snapshots' });
    assert.deepEqual(await store.readStream('tally'), []);
  });
});

describe('loadState with snapshots', () => {
  test('a snapshot that cannot be read is logged and the stream is folded from its first event', async () => {
    const store = await openEventStore('memory:');
    await store.appendToStream('tally', [{ type: 'Added', data: { amount: 2 } }]);
    const unreadable: EventStore = { ...store, snapshots: { ...store.snapshots, load: () => Promise.reject(new Error('garbled')) } };
    const { lines, logger } = collector();
    const loaded = await loadState(unreadable, 'tally', tally, { snapshots: { schemaVersion: 1, logger } });
    assert.deepEqual([loaded.state, loaded.snapshotVersion, loaded.eventsApplied], [{ total: 2 }, 0, 1]);
    assert.deepEqual(lines, ["eventline: ignoring the snapshot of stream 'tally': garbled"]);
  });

  test('a snapshot past the end of its stream is ignored, never trusted', async () => {
    const store = await openEventStore('memory:');
    await store.appendToStream('tally', [{ type: 'Added', data: { amount: 2 } }]);
    const ahead: EventStore = {
      ...store,
      snapshots: {
        ...store.snapshots,
        load: async () => ({ streamId: 'tally', version: 7, schemaVersion: 1, state: { total: 99 }, takenAt: new Date() }) as never,
      },
    };
    const { lines, logger } = collector();
    const loaded = await loadState(ahead, 'tally', tally, { snapshots: { schemaVersion: 1, logger } });
    assert.deepEqual([loaded.state, loaded.version], [{ total: 2 }, 1]);
    assert.match(lines[0]!, /past the stream's end/);
  });

  test('a snapshot at the stream\'s last version reads one event and folds none', async () => {
    const store = await openEventStore('memory:');
    await store.appendToStream('tally', [{ type: 'Added', data: { amount: 2 } }, { type: 'Added', data: { amount: 3 } }]);
    await store.snapshots.save({ streamId: 'tally', version: 2, schemaVersion: 1, state: { total: 5 } });
    const loaded = await loadState(store, 'tally', tally, { snapshots: { schemaVersion: 1 } });
    const plain = await loadState(store, 'tally', tally);
    assert.deepEqual(loaded, { ...plain, snapshotVersion: 2, eventsApplied: 0 });
  });
});
