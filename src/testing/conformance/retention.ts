// Pruning at the store level: a prune removes stream prefixes and appends its audit
// event in one step; readers pass over what it removed; versions keep counting,
// positions are never handed out again, and a pruned event's id comes back only as the
// retry it was. Restoring puts events back exactly as they were.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConcurrencyError, DuplicateEventError, RestoreConflictError, ValidationError } from '../../core/errors.js';
import type { RecordedEvent } from '../../core/events.js';
import type { EventStore } from '../../store/event-store.js';
import { collect, defineCase, eventually, type ConformanceOptions } from './suite.js';

const edited = (n: number) => ({ type: 'PostWasEdited', data: { n } });
const audit = (run: string) => ({ streamId: '$retention', events: [{ type: 'RetentionRun', data: { run } }] });

/** Appends `count` events to each stream, one append each, taking turns: positions interleave. */
async function interleaved(store: EventStore, streams: readonly string[], count: number): Promise<void> {
  for (let i = 0; i < count; i++) for (const streamId of streams) await store.appendToStream(streamId, [edited(i + 1)]);
}

/** Every event a store holds, as `stream@version#position`. */
async function everything(store: EventStore): Promise<string[]> {
  return (await collect(store.readAll())).map((e) => `${e.streamId}@${e.version}#${e.position}`);
}

export function retentionCases(options: ConformanceOptions): void {
  const it = (name: string, body: Parameters<typeof defineCase>[2]) => defineCase(options, name, body);

  it('a prune removes a stream prefix and appends its audit event in one step', async (store) => {
    await interleaved(store, ['post-a', 'post-b'], 5);
    const before = await store.readStream('post-a');
    const head = await store.headPosition();

    const result = await store.retention.prune([{ streamId: 'post-a', upToVersion: 3 }], audit('r1'));

    assert.equal(result.removed, 3);
    assert.equal(result.audit.lastPosition, head + 1, 'the audit event takes the next position');
    const after = await store.readStream('post-a');
    assert.deepEqual(after.map((e) => [e.version, e.position]), before.slice(3).map((e) => [e.version, e.position]));
    assert.equal(await store.retention.prunedTo('post-a'), 3);
    assert.equal(await store.retention.prunedTo('post-b'), 0);
    assert.equal((await store.stats()).events, 10 - 3 + 1);
    const [run] = await store.readStream('$retention');
    assert.equal(run!.type, 'RetentionRun');
    const folded = await store.foldStream('post-a', 0, (n) => n + 1);
    assert.deepEqual([folded.firstVersion, folded.version, folded.events], [4, 5, 2], 'a fold starts at the first surviving version');
    const backward = await store.readStream('post-a', { direction: 'backward' });
    assert.deepEqual(backward.map((e) => e.version), [5, 4]);
  });

  it('after a prune, expected versions keep counting and positions are never reused', async (store) => {
    await interleaved(store, ['post-a', 'post-b'], 3);
    // post-b holds the newest event: pruning it whole removes the highest position.
    const head = await store.headPosition();
    await store.retention.prune(
      [
        { streamId: 'post-a', upToVersion: 2 },
        { streamId: 'post-b', upToVersion: 3 },
      ],
      audit('r1'),
    );
    assert.deepEqual(await store.readStream('post-b'), []);
    assert.equal(await store.retention.prunedTo('post-b'), 3);
    assert.deepEqual((await collect(store.listStreams())).map((s) => s.streamId).sort(), ['$retention', 'post-a']);

    await assert.rejects(store.appendToStream('post-b', [edited(9)], { expectedVersion: 'no_stream' }), (e) => e instanceof ConcurrencyError && e.actual === 3);
    await assert.rejects(store.appendToStream('post-a', [edited(9)], { expectedVersion: 2 }), (e) => e instanceof ConcurrencyError && e.actual === 3);
    const b = await store.appendToStream('post-b', [edited(4)], { expectedVersion: 3 });
    const a = await store.appendToStream('post-a', [edited(4)], { expectedVersion: 3 });
    assert.equal(b.nextExpectedVersion, 4);
    assert.equal(a.nextExpectedVersion, 4);
    assert.ok(b.lastPosition > head + 1, `position ${b.lastPosition} follows the audit event after ${head}`);
    const positions = (await collect(store.readAll())).map((e) => e.position);
    assert.deepEqual(positions, [...positions].sort((x, y) => x - y));
    assert.equal(new Set(positions).size, positions.length);
    assert.deepEqual((await store.readStream('post-b')).map((e) => e.version), [4]);
  });

  it('readAll and a subscription pass over a pruned range: every surviving event once, in order', async (store) => {
    await interleaved(store, ['post-a', 'post-b', 'post-c'], 4);
    const seen: RecordedEvent[] = [];
    // One subscription already past part of the range, one starting after the prune.
    const early = store.subscribe({ batchSize: 2, handler: (e) => void seen.push(e) });
    await eventually(() => seen.length === 12, 'the first subscription caught up');
    await store.retention.prune(
      [
        { streamId: 'post-a', upToVersion: 3 },
        { streamId: 'post-c', upToVersion: 4 },
      ],
      audit('r1'),
    );
    await store.appendToStream('post-a', [edited(5)]);
    await eventually(() => seen.length === 14, 'the first subscription saw the audit event and the new one');
    await early.stop();

    const expected = await everything(store);
    assert.equal(expected.length, 12 - 7 + 2);
    const late: RecordedEvent[] = [];
    const subscription = store.subscribe({ batchSize: 2, handler: (e) => void late.push(e) });
    await eventually(() => late.length === expected.length, 'the second subscription caught up');
    await subscription.stop();
    assert.deepEqual(late.map((e) => `${e.streamId}@${e.version}#${e.position}`), expected);
    const page = await store.readAllPage({ after: 0, batchSize: 3 });
    assert.deepEqual(page.map((e) => `${e.streamId}@${e.version}#${e.position}`), expected.slice(0, 3));
    assert.deepEqual(seen.slice(12).map((e) => e.type), ['RetentionRun', 'PostWasEdited']);
  });

  it('a pruned event id is appended again only as the idempotent retry it was', async (store) => {
    const given = randomUUID();
    const first = await store.appendToStream('post-a', [{ ...edited(1), eventId: given }, edited(2)]);
    await store.appendToStream('post-a', [edited(3)]);
    const [, generated] = await store.readStream('post-a');
    await store.retention.prune([{ streamId: 'post-a', upToVersion: 2 }], audit('r1'));
    const count = (await store.stats()).events;

    const retried = await store.appendToStream('post-a', [{ ...edited(1), eventId: given }], { expectedVersion: 'no_stream' });
    assert.deepEqual(retried, { nextExpectedVersion: 1, lastPosition: first.lastPosition - 1 });
    const retriedGenerated = await store.appendToStream('post-a', [{ ...edited(2), eventId: generated!.eventId }]);
    assert.deepEqual(retriedGenerated, { nextExpectedVersion: 2, lastPosition: generated!.position });
    await assert.rejects(store.appendToStream('post-z', [{ ...edited(1), eventId: given }]), DuplicateEventError);
    await assert.rejects(store.appendToStream('post-z', [{ ...edited(2), eventId: generated!.eventId }]), DuplicateEventError);
    assert.equal((await store.stats()).events, count, 'nothing was written');
    assert.deepEqual((await store.readStream('post-a')).map((e) => e.version), [3]);
  });

  it('a prune that cannot be done as asked writes nothing', async (store) => {
    await interleaved(store, ['post-a', 'post-b'], 2);
    const before = await everything(store);
    const refused = [
      [{ streamId: 'post-a', upToVersion: 1 }, { streamId: 'post-b', upToVersion: 3 }],
      [{ streamId: 'post-a', upToVersion: 0 }],
      [{ streamId: 'nothing-here', upToVersion: 1 }],
      [{ streamId: '', upToVersion: 1 }],
    ];
    for (const ranges of refused) await assert.rejects(store.retention.prune(ranges, audit('bad')), ValidationError);
    await assert.rejects(store.retention.prune([{ streamId: 'post-a', upToVersion: 1 }], { streamId: '$retention', events: [] }), ValidationError);
    // A stream removed whole must still be at the version it was planned at.
    await assert.rejects(
      store.retention.prune([{ streamId: 'post-a', upToVersion: 1 }, { streamId: 'post-b', upToVersion: 2, version: 1 }], audit('moved on')),
      (error) => error instanceof ConcurrencyError && error.actual === 2,
    );
    assert.deepEqual(await everything(store), before);
    assert.equal(await store.retention.prunedTo('post-a'), 0);
  });

  it('restored events are back exactly as stored, at their positions, with the audit event', async (store) => {
    await store.appendToStream('post-a', [{ ...edited(1), eventId: randomUUID(), metadata: { by: 'ann' } }]);
    await interleaved(store, ['post-a', 'post-b'], 3);
    const stored = await store.retention.readStored('post-a', 1, 100);
    await store.retention.prune([{ streamId: 'post-a', upToVersion: 3 }], audit('r1'));
    const head = await store.headPosition();

    const pruned = stored.slice(0, 3);
    const result = await store.retention.restore(pruned, { streamId: '$retention', events: [{ type: 'RetentionRestored', data: { run: 'r1' } }] });
    assert.equal(result.restored, 3);
    assert.equal(result.audit.lastPosition, head + 1);
    assert.deepEqual(await store.retention.readStored('post-a', 1, 100), stored);
    assert.equal(await store.retention.prunedTo('post-a'), 0);
    assert.deepEqual((await store.readStream('$retention')).map((e) => e.type), ['RetentionRun', 'RetentionRestored']);

    const count = (await store.stats()).events;
    await assert.rejects(store.retention.restore(pruned, audit('again')), RestoreConflictError);
    const other = { ...stored[3]!, position: head + 10, version: 2 };
    await assert.rejects(store.retention.restore([other], audit('moved')), RestoreConflictError);
    const sameId = { ...stored[0]!, streamId: 'post-z', version: 1, position: head + 10 };
    await assert.rejects(store.retention.restore([sameId], audit('same id')), RestoreConflictError);
    assert.equal((await store.stats()).events, count, 'nothing was written');
  });

  it('archived events restore into another store exactly as stored', async (store) => {
    await store.appendToStream('post-a', [{ ...edited(1), eventId: randomUUID() }]);
    await interleaved(store, ['post-a', 'post-b'], 3);
    const stored = [...(await store.retention.readStored('post-a', 1, 100)), ...(await store.retention.readStored('post-b', 1, 100))].sort((x, y) => x.position - y.position);
    const other = await options.open();
    try {
      await other.retention.restore(stored, audit('copy'));
      assert.deepEqual(await other.retention.readStored('post-a', 1, 100), await store.retention.readStored('post-a', 1, 100));
      assert.deepEqual(await other.retention.readStored('post-b', 1, 100), await store.retention.readStored('post-b', 1, 100));
      const next = await other.appendToStream('post-a', [edited(9)], { expectedVersion: 4 });
      assert.ok(next.lastPosition > stored.at(-1)!.position + 1, 'the other store hands out positions after the restored ones');
    } finally {
      await other.close();
    }
  });
}
