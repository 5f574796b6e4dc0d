// Copied events at the store level (store.retention.writeCopied): events another store
// keeps are written with their ids, versions, times and payloads at this store's own
// positions, in one transaction with the caller's work; written again they are passed
// over; an id or a place another event has is refused, and nothing is written.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CopyRefusedError } from '../../core/errors.js';
import type { EventStore } from '../../store/event-store.js';
import type { CopiedEvent } from '../../store/storage.js';
import { collect, defineCase, type ConformanceOptions } from './suite.js';

const RECORDED = new Date('2024-02-29T12:34:56.789Z');

/** Events as another store of the same kind keeps them: this store's own bodies, with ids and times of their own. */
async function copiesFrom(store: EventStore, streams: readonly [string, number][]): Promise<CopiedEvent<unknown>[]> {
  // A scratch stream gives the store's own body form (text or values); it is not copied.
  await store.appendToStream('scratch', [{ type: 'Shape', data: { n: 0 }, metadata: { by: 'x' } }]);
  const [shape] = await store.retention.readStored('scratch', 1, 1);
  return streams.map(([streamId, version]) => ({ ...shape!, eventId: randomUUID(), streamId, version, recordedAt: RECORDED }));
}

const nothing = async () => {};

export function copyingCases(options: ConformanceOptions): void {
  const it = (name: string, body: Parameters<typeof defineCase>[2]) => defineCase(options, name, body);

  it('copied events keep their ids, versions and times, at positions the store hands out in their order', async (store) => {
    const events = await copiesFrom(store, [
      ['post-a', 4],
      ['post-b', 1],
      ['post-a', 5],
    ]);
    const head = await store.headPosition();

    const copied = await store.retention.writeCopied(events, nothing);

    assert.deepEqual(copied, { positions: [head + 1, head + 2, head + 3], written: 3 });
    const stored = (await collect(store.readAll({ after: head }))).map((e) => [e.eventId, e.streamId, e.version, e.position, e.recordedAt.getTime()]);
    assert.deepEqual(
      stored,
      events.map((e, i) => [e.eventId, e.streamId, e.version, head + 1 + i, RECORDED.getTime()]),
    );
    assert.equal(await store.retention.prunedTo('post-a'), 3, 'a stream copied from version 4 reads as pruned before it');
    const next = await store.appendToStream('post-a', [{ type: 'Edited', data: {} }], { expectedVersion: 5 });
    assert.equal(next.nextExpectedVersion, 6);
  });

  it('copied events written again are passed over, where they are', async (store) => {
    const events = await copiesFrom(store, [
      ['post-a', 1],
      ['post-a', 2],
    ]);
    const first = await store.retention.writeCopied(events, nothing);
    const head = await store.headPosition();

    const again = await store.retention.writeCopied(events, nothing);

    assert.deepEqual(again, { positions: first.positions, written: 0 });
    assert.equal(await store.headPosition(), head);
  });

  it('a copied event whose id or place another event has is refused, and nothing of its batch is written', async (store) => {
    await store.appendToStream('post-a', [{ type: 'Edited', data: {} }]);
    const [taken] = await copiesFrom(store, [['post-a', 1]]);
    const [moved] = await copiesFrom(store, [['post-b', 1]]);
    await store.retention.writeCopied([moved!], nothing);
    const head = await store.headPosition();
    const [fresh] = await copiesFrom(store, [['post-c', 1]]);
    const headAfter = await store.headPosition();

    await assert.rejects(store.retention.writeCopied([fresh!, taken!], nothing), (e: unknown) => e instanceof CopyRefusedError && e.reason === 'conflict');
    await assert.rejects(store.retention.writeCopied([{ ...moved!, streamId: 'post-d' }], nothing), (e: unknown) => e instanceof CopyRefusedError && e.reason === 'conflict');
    assert.ok(head < headAfter);
    assert.equal(await store.headPosition(), headAfter);
    assert.deepEqual(await store.readStream('post-c'), []);
  });

  it('work that throws inside a copy rolls its batch back', async (store) => {
    const events = await copiesFrom(store, [['post-a', 1]]);
    const head = await store.headPosition();

    await assert.rejects(
      store.retention.writeCopied(events, async () => {
        throw new Error('the map could not be written');
      }),
      /the map could not be written/,
    );

    assert.equal(await store.headPosition(), head);
    assert.deepEqual(await store.readStream('post-a'), []);
  });
}
