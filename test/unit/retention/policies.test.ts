// Retention policies and planning on the memory store: which rule puts which versions in
// range, which policy a stream follows, how a StreamCompacted event folds, and what a
// bad policy or a bad archive is told.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ArchiveInvalidError,
  compactingEvolve,
  days,
  openEventStore,
  planPrune,
  pruneStore,
  RetentionPolicyError,
  retentionPolicy,
  ValidationError,
  verifyArchive,
  type EventStore,
} from '../../../src/index.js';

const count = { initialState: () => 0, evolve: (n: number) => n + 1, stateSchemaVersion: 1 };

async function storeWith(streams: Record<string, number>): Promise<EventStore> {
  const store = await openEventStore('memory:');
  for (const [streamId, n] of Object.entries(streams)) {
    await store.appendToStream(streamId, Array.from({ length: n }, (_, i) => ({ type: 'Edited', data: { i } })));
  }
  return store;
}

const ranges = async (store: EventStore, policies: Parameters<typeof planPrune>[1], now?: Date) =>
  (await planPrune(store, policies, now === undefined ? {} : { now })).streams.map((s) => `${s.streamId}:${s.action}:${s.fromVersion}-${s.upToVersion}`);

test('maxCount, truncateBefore and maxAge each put a prefix in range; together, the widest', async () => {
  const store = await storeWith({ 'post-a': 10, 'post-b': 3, 'page-a': 10 });
  const policy = (options: object) => [retentionPolicy({ name: 'p', category: 'post', fold: count, ...options })];
  assert.deepEqual(await ranges(store, policy({ maxCount: 4 })), ['post-a:compact:1-6']);
  assert.deepEqual(await ranges(store, policy({ truncateBefore: 3 })), ['post-a:compact:1-2', 'post-b:compact:1-2']);
  assert.deepEqual(await ranges(store, policy({ truncateBefore: 99 })), ['post-a:compact:1-10', 'post-b:compact:1-3']);
  assert.deepEqual(await ranges(store, policy({ maxCount: 8, truncateBefore: 5 })), ['post-a:compact:1-4', 'post-b:compact:1-3']);
  assert.deepEqual(await ranges(store, policy({ maxAge: days(1) })), [], 'nothing is a day old');
  assert.deepEqual(await ranges(store, policy({ maxAge: days(1) }), new Date(Date.now() + days(2))), ['post-a:compact:1-10', 'post-b:compact:1-3']);
});

test('a stream follows the first policy of its category whose `when` holds', async () => {
  const store = await storeWith({ 'post-short': 2, 'post-long': 12 });
  const closed = retentionPolicy<number>({ name: 'closed', category: 'post', when: (n) => n < 5, fold: count });
  const long = retentionPolicy<number>({ name: 'long', category: 'post', maxCount: 5, fold: count });
  assert.deepEqual(await ranges(store, [closed, long]), ['post-long:compact:1-7', 'post-short:remove:1-2']);
  // `when` with a rule: a closed stream with events out of range keeps them, compacted.
  const closedOld = retentionPolicy<number>({ name: 'closed', category: 'post', when: () => true, maxCount: 1, fold: count });
  assert.deepEqual(await ranges(store, [closedOld]), ['post-long:compact:1-11', 'post-short:compact:1-1']);
});

test('a StreamCompacted event replaces the state it meets, and refuses a state of another shape', () => {
  const evolve = compactingEvolve(count);
  const compacted = { type: 'StreamCompacted', data: { upToVersion: 7, state: 7, stateSchemaVersion: 1 } };
  assert.equal([{ type: 'Edited', data: {} }, compacted, { type: 'Edited', data: {} }].reduce(evolve, 0), 8);
  assert.throws(() => evolve(0, { ...compacted, data: { ...compacted.data, stateSchemaVersion: 2 } }), ValidationError);
});

test('bad policies are refused with the policy and the option named', async () => {
  const store = await storeWith({ 'post-a': 3 });
  const bad: [object, string][] = [
    [{ name: '', category: 'post', maxCount: 1, fold: count }, 'name'],
    [{ name: 'p', category: 'po-st', maxCount: 1, fold: count }, 'category'],
    [{ name: 'p', category: 'post', maxAge: -1, fold: count }, 'maxAge'],
    [{ name: 'p', category: 'post', maxCount: 1.5, fold: count }, 'maxCount'],
    [{ name: 'p', category: 'post', truncateBefore: 1, fold: count }, 'truncateBefore'],
    [{ name: 'p', category: 'post', maxCount: 1, fold: { ...count, stateSchemaVersion: 0 } }, 'fold.stateSchemaVersion'],
    [{ name: 'p', category: 'post', maxCount: 1, fold: { stateSchemaVersion: 1 } }, 'fold'],
    [{ name: 'p', category: 'post', when: 'yes', fold: count }, 'when'],
  ];
  for (const [policy, field] of bad) {
    await assert.rejects(planPrune(store, [retentionPolicy(policy as never)]), (error: unknown) => {
      assert.ok(error instanceof RetentionPolicyError);
      assert.equal(error.field, field);
      return true;
    });
  }
  await assert.rejects(pruneStore(store, { policies: [retentionPolicy({ name: 'p', category: 'post', maxCount: 1, fold: count })], archiveDir: '' }), ValidationError);
  assert.equal((await store.stats()).events, 3, 'nothing was written');
});

test('an archive that was cut short, or whose manifest is gone, does not verify', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-archive-'));
  try {
    const store = await storeWith({ 'post-a': 30 });
    const { archive } = await pruneStore(store, { policies: [retentionPolicy({ name: 'p', category: 'post', maxCount: 1, fold: count })], archiveDir: folder });
    assert.equal((await verifyArchive(archive!.file)).events, 29);
    const whole = await readFile(archive!.file);
    await writeFile(archive!.file, whole.subarray(0, whole.length - 9));
    await assert.rejects(verifyArchive(archive!.file), ArchiveInvalidError);
    await rm(archive!.manifest);
    await assert.rejects(verifyArchive(archive!.file), (error: unknown) => error instanceof ArchiveInvalidError && error.reason === 'missing');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
