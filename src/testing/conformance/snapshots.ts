// Snapshots: every store keeps one per stream, replaces it by a newer one or one of
// another schema version (never by an older one of the same), refuses bad input the
// same way, and loading with snapshots always gives the state the events give.

import assert from 'node:assert/strict';
import { handleCommand } from '../../commands/handle-command.js';
import { loadState } from '../../commands/load-state.js';
import { ValidationError } from '../../core/errors.js';
import { everyNEvents } from '../../snapshots/policies.js';
import type { EventStore } from '../../store/event-store.js';
import type { NewSnapshot } from '../../store/snapshot-store.js';
import { collect, defineCase, type ConformanceOptions } from './suite.js';
import { ledger, runHistory } from './snapshot-histories.js';

const added = (amount: number) => ({ type: 'Added', data: { amount, note: 'n' } });

/** A stream of `count` events, so snapshots up to that version are accepted. */
async function streamOf(store: EventStore, streamId: string, count: number): Promise<void> {
  await store.appendToStream(streamId, Array.from({ length: count }, (_, i) => added(i + 1)));
}

const snapshot = (overrides: Partial<NewSnapshot> = {}): NewSnapshot => ({
  streamId: 's',
  version: 2,
  schemaVersion: 1,
  state: { total: 3, notes: ['café', '😀', 'say "hi"'], nested: { ok: true, none: null } },
  ...overrides,
});

type Attempt = (store: EventStore) => Promise<unknown>;
const cycle: Record<string, unknown> = {};
cycle.self = cycle;

/** [what is wrong, the field the error names, the attempt]. */
const BAD_SNAPSHOTS: readonly [string, string, Attempt][] = [
  ['a snapshot that is not an object', 'snapshot', (s) => s.snapshots.save(null as unknown as NewSnapshot)],
  ['an empty stream id', 'streamId', (s) => s.snapshots.save(snapshot({ streamId: '' }))],
  ['a stream id with U+0000', 'streamId', (s) => s.snapshots.save(snapshot({ streamId: 's\u0000' }))],
  ['version 0', 'version', (s) => s.snapshots.save(snapshot({ version: 0 }))],
  ['a fractional version', 'version', (s) => s.snapshots.save(snapshot({ version: 1.5 }))],
  ['a version past the stream\'s end', 'version', (s) => s.snapshots.save(snapshot({ version: 9 }))],
  ['a version of a stream with no events', 'version', (s) => s.snapshots.save(snapshot({ streamId: 'empty', version: 1 }))],
  ['a negative schema version', 'schemaVersion', (s) => s.snapshots.save(snapshot({ schemaVersion: -1 }))],
  ['a schema version as a string', 'schemaVersion', (s) => s.snapshots.save(snapshot({ schemaVersion: '1' as unknown as number }))],
  ['a schema version over 2^31 - 1', 'schemaVersion', (s) => s.snapshots.save(snapshot({ schemaVersion: 2 ** 31 }))],
  ['an undefined state', 'state', (s) => s.snapshots.save(snapshot({ state: undefined }))],
  ['a function in the state', 'state.f', (s) => s.snapshots.save(snapshot({ state: { f: () => 1 } }))],
  ['a Date in the state', 'state.at', (s) => s.snapshots.save(snapshot({ state: { at: new Date() } }))],
  ['a cycle in the state', 'state.self', (s) => s.snapshots.save(snapshot({ state: cycle }))],
  ['NaN in the state', 'state[0]', (s) => s.snapshots.save(snapshot({ state: [NaN] }))],
  ['load of an empty stream id', 'streamId', (s) => s.snapshots.load('')],
  ['delete of a stream id that is not a string', 'streamId', (s) => s.snapshots.delete(7 as unknown as string)],
  ['list with an empty prefix', 'streamPrefix', async (s) => s.snapshots.list({ streamPrefix: '' })],
  ['list in pages of 0', 'batchSize', async (s) => s.snapshots.list({ batchSize: 0 })],
];

export function snapshotCases(options: ConformanceOptions): void {
  const it = (name: string, body: Parameters<typeof defineCase>[2], timeout?: number) => defineCase(options, name, body, timeout);

  it('saves a snapshot and loads it back: state, version, schema version and when it was taken', async (store) => {
    await streamOf(store, 's', 3);
    const before = Date.now();
    assert.equal(await store.snapshots.save(snapshot()), true);
    const loaded = await store.snapshots.load('s');
    assert.deepEqual({ ...loaded, takenAt: undefined }, { ...snapshot(), takenAt: undefined });
    assert.ok(loaded!.takenAt instanceof Date);
    // Clocks of a database server and this process may differ a little.
    assert.ok(Math.abs(loaded!.takenAt.getTime() - before) < 60_000, `takenAt ${loaded!.takenAt.toISOString()}`);
    assert.equal(await store.snapshots.load('other'), undefined);
  });

  it('replaces a snapshot by a newer one, and keeps it against an older one of the same schema version', async (store) => {
    await streamOf(store, 's', 5);
    await store.snapshots.save(snapshot({ version: 3, state: { at: 3 } }));
    assert.equal(await store.snapshots.save(snapshot({ version: 5, state: { at: 5 } })), true);
    assert.equal(await store.snapshots.save(snapshot({ version: 4, state: { at: 4 } })), false);
    assert.deepEqual((await store.snapshots.load('s'))?.state, { at: 5 });
    // The same version again refreshes it.
    assert.equal(await store.snapshots.save(snapshot({ version: 5, state: { at: '5 again' } })), true);
    assert.deepEqual((await store.snapshots.load('s'))?.state, { at: '5 again' });
  });

  it('replaces a snapshot by one of another schema version, whatever their stream versions', async (store) => {
    await streamOf(store, 's', 5);
    await store.snapshots.save(snapshot({ version: 5, schemaVersion: 1, state: { shape: 1 } }));
    assert.equal(await store.snapshots.save(snapshot({ version: 2, schemaVersion: 2, state: { shape: 2 } })), true);
    const loaded = await store.snapshots.load('s');
    assert.deepEqual([loaded?.version, loaded?.schemaVersion, loaded?.state], [2, 2, { shape: 2 }]);
  });

  it('deletes a stream\'s snapshot and says whether there was one', async (store) => {
    await streamOf(store, 's', 2);
    await store.snapshots.save(snapshot());
    assert.equal(await store.snapshots.delete('s'), true);
    assert.equal(await store.snapshots.load('s'), undefined);
    assert.equal(await store.snapshots.delete('s'), false);
    // The events are untouched.
    assert.equal((await store.readStream('s')).length, 2);
  });

  it('lists snapshots in stream id (code point) order, in pages, by a literal prefix', async (store) => {
    const ids = ['snap-b', 'snap-a', 'snap-\u{1F600}', 'snap-\uFFFD', 'snap-é', 'a%b', 'a_b', 'abb'];
    for (const id of ids) {
      await streamOf(store, id, 1);
      await store.snapshots.save({ streamId: id, version: 1, schemaVersion: 3, state: { id } });
    }
    const listed = await collect(store.snapshots.list({ batchSize: 2 }));
    assert.deepEqual(listed.map((s) => s.streamId), ['a%b', 'a_b', 'abb', 'snap-a', 'snap-b', 'snap-é', 'snap-\uFFFD', 'snap-\u{1F600}']);
    const first = listed[0]!;
    assert.deepEqual([first.version, first.schemaVersion, first.bytes], [1, 3, Buffer.byteLength(JSON.stringify({ id: 'a%b' }))]);
    assert.ok(first.takenAt instanceof Date);
    assert.deepEqual((await collect(store.snapshots.list({ streamPrefix: 'a%' }))).map((s) => s.streamId), ['a%b']);
    assert.deepEqual((await collect(store.snapshots.list({ streamPrefix: 'a_' }))).map((s) => s.streamId), ['a_b']);
    assert.equal((await collect(store.snapshots.list({ streamPrefix: 'snap-', batchSize: 1 }))).length, 5);
    assert.deepEqual(await collect(store.snapshots.list({ streamPrefix: 'none' })), []);
  });

  for (const [what, field, attempt] of BAD_SNAPSHOTS) {
    it(`refuses ${what} with a ValidationError naming ${field}, writing nothing`, async (store) => {
      await streamOf(store, 's', 2);
      await store.snapshots.save(snapshot({ state: { before: true } }));
      await assert.rejects(attempt(store), (error) => {
        assert.ok(error instanceof ValidationError, `${String(error)} is a ValidationError`);
        assert.equal(error.field, field);
        assert.ok(error.message.startsWith(`${field}: `), error.message);
        return true;
      });
      assert.deepEqual((await store.snapshots.load('s'))?.state, { before: true });
      assert.deepEqual((await collect(store.snapshots.list())).map((s) => s.streamId), ['s']);
    });
  }

  it('loads from the snapshot and reads only the events after it', async (store) => {
    await store.appendToStream('s', Array.from({ length: 30 }, () => added(1)));
    const full = await loadState(store, 's', ledger);
    await store.snapshots.save({ streamId: 's', version: 30, schemaVersion: 1, state: full.state });
    await store.appendToStream('s', [added(5), added(7)]);

    const snapshots = { schemaVersion: 1 };
    const loaded = await loadState(store, 's', ledger, { snapshots });
    const fromEvents = await loadState(store, 's', ledger);
    assert.deepEqual([loaded.snapshotVersion, loaded.eventsApplied], [30, 2]);
    assert.deepEqual([fromEvents.snapshotVersion, fromEvents.eventsApplied], [0, 32]);
    assert.deepEqual(loaded, { ...fromEvents, snapshotVersion: 30, eventsApplied: 2 });
  });

  it('ignores a snapshot of another schema version, and the next snapshot taken replaces it', async (store) => {
    await store.appendToStream('s', [added(1), added(2)]);
    // A snapshot of an older shape of the state, which this ledger would misread.
    await store.snapshots.save({ streamId: 's', version: 2, schemaVersion: 1, state: { total: 'not a number' } });
    const snapshots = { schemaVersion: 2, policy: everyNEvents(1) };
    const loaded = await loadState(store, 's', ledger, { snapshots });
    assert.deepEqual([loaded.snapshotVersion, loaded.eventsApplied, loaded.state.total], [0, 2, 3]);

    await handleCommand(store, 's', ledger, { type: 'Add', amount: 4, note: 'n' }, { snapshots });
    const replaced = await store.snapshots.load('s');
    assert.deepEqual([replaced?.version, replaced?.schemaVersion], [3, 2]);
    assert.equal((replaced?.state as { total: number }).total, 7);
  });

  it('loads with snapshots the state the events alone give, for 50 random command histories', async (store) => {
    let loadsFromSnapshot = 0;
    for (let history = 0; history < 50; history++) {
      const report = await runHistory(store, `ledger-${history}`, 1000 + history);
      assert.deepEqual(report.warnings, [], `no snapshot failed in history seed ${1000 + history}`);
      loadsFromSnapshot += report.loadsFromSnapshot;
    }
    assert.ok(loadsFromSnapshot > 50, `loads started from a snapshot ${loadsFromSnapshot} times`);
  }, 120_000);
}
