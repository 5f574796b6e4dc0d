// Snapshots of the blog's posts, told as given / when / then and run on every store:
// what a load reads with a snapshot, a new schema version, the policy, and a failure.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { everyNEvents, handleCommand, loadState, type EventStore, type FoldOptions } from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import { POST_SNAPSHOT_SCHEMA_VERSION, postDecider, postStreamId, type PostEvent } from '../blog/index.js';

const STREAM = postStreamId('long');
const snapshots = { schemaVersion: POST_SNAPSHOT_SCHEMA_VERSION, policy: everyNEvents(100) };

/** Given: a post created and edited, `count` events in all. */
async function givenLongPost(store: EventStore, count: number): Promise<void> {
  const events: PostEvent[] = [{ type: 'PostWasCreated', data: { postId: 'long', title: 'Draft 0', body: '…', authorId: 'ada' } }];
  for (let i = 1; i < count; i++) events.push({ type: 'PostWasEdited', data: { postId: 'long', title: `Draft ${i}`, body: '…' } });
  for (let i = 0; i < events.length; i += 500) await store.appendToStream(STREAM, events.slice(i, i + 500));
}

/** The store, counting the events each fold of a stream reads. */
function counting(store: EventStore) {
  const reads: { options: FoldOptions | undefined; events: number }[] = [];
  const spy: EventStore = {
    ...store,
    async foldStream(streamId, initial, evolve, options) {
      const folded = await store.foldStream(streamId, initial, evolve, options);
      reads.push({ options, events: folded.events });
      return folded;
    },
  };
  return { store: spy, reads };
}

let edits = 0;
const edit = (store: EventStore, options = {}) =>
  handleCommand(store, STREAM, postDecider, { type: 'EditPost', postId: 'long', title: `Edit ${++edits}` }, { snapshots: { ...snapshots, ...options } });

onEveryStore((name) => `snapshots of a long post on ${name}`, (backend) => {
  test('given 2,000 events and a snapshot at 2,000, a load reads one event instead of 2,000', () =>
    backend.withStore(async (store) => {
      await givenLongPost(store, 2_000);
      const full = await loadState(store, STREAM, postDecider);
      await store.snapshots.save({ streamId: STREAM, version: 2_000, schemaVersion: POST_SNAPSHOT_SCHEMA_VERSION, state: full.state });

      const { store: spy, reads } = counting(store);
      const loaded = await loadState(spy, STREAM, postDecider, { snapshots });

      assert.deepEqual(reads, [{ options: { fromVersion: 2_000 }, events: 1 }]);
      assert.deepEqual(loaded, { ...full, snapshotVersion: 2_000, eventsApplied: 0 });
    }));

  test('while commands run under everyNEvents(100), no load folds 100 events or more', () =>
    backend.withStore(async (store) => {
      await givenLongPost(store, 1_000);
      await edit(store);
      let most = 0;
      for (let i = 0; i < 120; i++) {
        most = Math.max(most, (await loadState(store, STREAM, postDecider, { snapshots })).eventsApplied);
        await edit(store);
      }
      assert.ok(most < 100, `the most folded was ${most}`);
      assert.equal((await store.snapshots.load(STREAM))?.version, 1_101);
    }));

  test('a new schema version ignores the old snapshot, and its first command replaces it', () =>
    backend.withStore(async (store) => {
      await givenLongPost(store, 300);
      await edit(store);
      assert.equal((await store.snapshots.load(STREAM))?.schemaVersion, POST_SNAPSHOT_SCHEMA_VERSION);

      const newShape = { schemaVersion: POST_SNAPSHOT_SCHEMA_VERSION + 1 };
      assert.equal((await loadState(store, STREAM, postDecider, { snapshots: { ...snapshots, ...newShape } })).eventsApplied, 301);
      await edit(store, newShape);

      const replaced = await store.snapshots.load(STREAM);
      assert.deepEqual([replaced?.version, replaced?.schemaVersion], [302, POST_SNAPSHOT_SCHEMA_VERSION + 1]);
      assert.equal((await loadState(store, STREAM, postDecider, { snapshots: { ...snapshots, ...newShape } })).eventsApplied, 0);
    }));

  test('when the snapshot cannot be written, the command succeeds and one line is logged', () =>
    backend.withStore(async (store) => {
      await givenLongPost(store, 150);
      const failing: EventStore = { ...store, snapshots: { ...store.snapshots, save: () => Promise.reject(new Error('disk full')) } };
      const logged: string[] = [];

      const result = await edit(failing, { logger: { warn: (line: string) => logged.push(line) } });

      assert.equal(result.nextExpectedVersion, 151);
      assert.equal((await store.readStream(STREAM, { fromVersion: 151 })).length, 1);
      assert.deepEqual(logged, [`eventline: no snapshot of stream '${STREAM}' at version 151: disk full`]);
      assert.equal(await store.snapshots.load(STREAM), undefined);
    }));
});
