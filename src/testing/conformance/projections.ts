// Projections on every store: async and inline, exactly once, failure and recovery,
// rebuilds that swap in while queries keep answering.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ProjectionFailedError, ValidationError } from '../../core/errors.js';
import type { RecordedEvent } from '../../core/events.js';
import { defineProjection, type Projection } from '../../projections/projection.js';
import { projectionControls, startProjections, type Projections, type ProjectionsOptions } from '../../projections/host.js';
import type { EventStore } from '../../store/event-store.js';
import { defineCase, sleep, type ConformanceOptions } from './suite.js';

/** Counts events per stream; `Poison` events fail while `poisoned` says so. */
function countingProjection(options: { name?: string; version?: number; poisoned?: () => boolean; slow?: boolean } = {}): Projection {
  const name = options.name ?? 'stream_counts';
  return defineProjection({
    name,
    version: options.version ?? 1,
    eventTypes: ['Counted', 'Poison'],
    tables: [name],
    indexes: [`${name}_by_count`],
    setup: `
      CREATE TABLE IF NOT EXISTS {${name}} (stream_id TEXT PRIMARY KEY, events INTEGER NOT NULL, version INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS {${name}_by_count} ON {${name}} (events)`,
    async handle(event: RecordedEvent, db) {
      if (event.type === 'Poison' && (options.poisoned?.() ?? true)) throw new Error(`poison at ${event.position}`);
      if (options.slow) await sleep(1);
      await db.run(
        `INSERT INTO {${name}} (stream_id, events, version) VALUES ($1, 1, $2)
         ON CONFLICT (stream_id) DO UPDATE SET events = {${name}}.events + 1, version = $2`,
        [event.streamId, (options.version ?? 1) * 1000 + event.version],
      );
    },
  });
}

const counted = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'Counted', data: { i } }));

async function counts(store: EventStore, table = 'stream_counts'): Promise<Record<string, number>> {
  const rows = await store.readModels.transaction({ t: store.readModels.table(table) }, (db) =>
    db.all<{ stream_id: string; events: number }>('SELECT stream_id, events FROM {t} ORDER BY stream_id'),
  );
  return Object.fromEntries(rows.map((r) => [r.stream_id, Number(r.events)]));
}

const quick: ProjectionsOptions = { retryDelaysMs: [5, 5], pollIntervalMs: 50, leaseRetryMs: 100 };

export function projectionCases(options: ConformanceOptions): void {
  const it = (name: string, body: Parameters<typeof defineCase>[2]) => defineCase(options, name, body, 60_000);
  const withProjections = async (store: EventStore, list: Projection[], extra: ProjectionsOptions, story: (p: Projections) => Promise<void>) => {
    const projections = startProjections(store, list, { ...quick, ...extra });
    try {
      await story(projections);
    } finally {
      await projections.stop();
    }
  };

  it('an async projection catches up from the first event, then follows new appends', async (store) => {
    await store.appendToStream('a', counted(3));
    await withProjections(store, [countingProjection()], {}, async (projections) => {
      await projections.waitFor('stream_counts', await store.headPosition());
      assert.deepEqual(await counts(store), { a: 3 });
      const { lastPosition } = await store.appendToStream('b', counted(2));
      await store.appendToStream('other', [{ type: 'Ignored', data: {} }]);
      await projections.waitFor('stream_counts', lastPosition);
      assert.deepEqual(await counts(store), { a: 3, b: 2 });
      const [status] = await projections.status();
      await projections.waitFor('stream_counts', await store.headPosition());
      assert.equal(status!.state, 'running');
    });
  });

  it('two runners of one projection apply every event exactly once', async (store) => {
    const first = startProjections(store, [countingProjection()], { ...quick, batchSize: 7 });
    const second = startProjections(store, [countingProjection()], { ...quick, batchSize: 3 });
    try {
      for (let i = 0; i < 10; i++) await store.appendToStream(`s${i % 3}`, counted(5));
      await first.waitFor('stream_counts', await store.headPosition(), 20_000);
      assert.deepEqual(await counts(store), { s0: 20, s1: 15, s2: 15 });
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it('an inline projection has the events when the append returns', async (store) => {
    await withProjections(store, [countingProjection()], { inline: ['stream_counts'], pollIntervalMs: 60_000 }, async (projections) => {
      await projections.waitFor('stream_counts', 0);
      await store.appendToStream('a', counted(2));
      assert.deepEqual(await counts(store), { a: 2 });
      await store.appendToStream('a', counted(1));
      await store.appendToStream('b', counted(1));
      assert.deepEqual(await counts(store), { a: 3, b: 1 });
    });
  });

  it('an append right after inline projections start succeeds, and the projection still gets its events', async (store) => {
    await withProjections(store, [countingProjection()], { inline: ['stream_counts'] }, async (projections) => {
      // No waiting for the runner to set the projection up first.
      const { lastPosition } = await store.appendToStream('a', counted(2));
      await projections.waitFor('stream_counts', lastPosition);
      assert.deepEqual(await counts(store), { a: 2 });
      await store.appendToStream('a', counted(1));
      assert.deepEqual(await counts(store), { a: 3 });
    });
  });

  it('an inline projection applies a retried append once', async (store) => {
    await withProjections(store, [countingProjection()], { inline: ['stream_counts'], pollIntervalMs: 60_000 }, async (projections) => {
      await projections.waitFor('stream_counts', 0);
      const events = counted(2).map((e) => ({ ...e, eventId: randomUUID() }));
      const first = await store.appendToStream('a', events);
      const retried = await store.appendToStream('a', events);
      assert.deepEqual(retried, first);
      assert.deepEqual(await counts(store), { a: 2 });
    });
  });

  it('an inline projection that throws rolls the append back', async (store) => {
    await withProjections(store, [countingProjection()], { inline: ['stream_counts'], pollIntervalMs: 60_000 }, async (projections) => {
      await projections.waitFor('stream_counts', 0);
      await store.appendToStream('a', counted(1));
      await assert.rejects(store.appendToStream('a', [...counted(1), { type: 'Poison', data: {} }]), /poison/);
      assert.equal((await store.readStream('a')).length, 1);
      assert.deepEqual(await counts(store), { a: 1 });
    });
  });

  it('deferred statements run in order before the next read, and commit with the transaction', async (store) => {
    const t = { t: store.readModels.table('deferred') };
    const awkward = [`it's`, 'back\\slash', "quote'and\\both", 'ünïcödé 🙂', '$1 {t}', ''];
    const seen = await store.readModels.transaction(t, async (db) => {
      await db.exec('CREATE TABLE IF NOT EXISTS {t} (id INTEGER PRIMARY KEY, text TEXT, big BIGINT, note TEXT)');
      awkward.forEach((text, i) => db.defer('INSERT INTO {t} (id, text, big, note) VALUES ($1, $2, $3, $4)', [i, text, 2 ** 40 + i, null]));
      db.defer('UPDATE {t} SET note = $2 WHERE id = $1', [0, 'updated after its insert']);
      return db.all<{ id: number; text: string; big: number | string; note: string | null }>('SELECT id, text, big, note FROM {t} ORDER BY id');
    });
    assert.deepEqual(seen.map((r) => r.text), awkward);
    assert.deepEqual(seen.map((r) => Number(r.big)), awkward.map((_, i) => 2 ** 40 + i));
    assert.deepEqual(seen.map((r) => r.note), ['updated after its insert', null, null, null, null, null]);

    // Only deferred statements in a transaction: they still commit.
    await store.readModels.transaction(t, async (db) => db.defer('DELETE FROM {t} WHERE id > $1', [0]));
    const left = await store.readModels.transaction(t, (db) => db.all<{ id: number }>('SELECT id FROM {t}'));
    assert.deepEqual(left.map((r) => Number(r.id)), [0]);
  });

  it('a deferred statement that fails fails its transaction, and none of it stays', async (store) => {
    const t = { t: store.readModels.table('deferred_fail') };
    await store.readModels.transaction(t, (db) => db.exec('CREATE TABLE IF NOT EXISTS {t} (id INTEGER PRIMARY KEY)'));
    await assert.rejects(
      store.readModels.transaction(t, async (db) => {
        db.defer('INSERT INTO {t} (id) VALUES ($1)', [1]);
        db.defer('INSERT INTO {t} (id) VALUES ($1)', [1]);
        await db.flush();
      }),
    );
    const rows = await store.readModels.transaction(t, (db) => db.all('SELECT id FROM {t}'));
    assert.deepEqual(rows, []);
  });

  it('a projection whose deferred write fails stops in failed at that event', async (store) => {
    const deferring = defineProjection({
      name: 'deferring',
      eventTypes: ['Counted', 'Poison'],
      tables: ['deferring'],
      setup: 'CREATE TABLE IF NOT EXISTS {deferring} (position BIGINT PRIMARY KEY, events INTEGER NOT NULL CHECK (events >= 0))',
      handle(event, db) {
        db.defer('INSERT INTO {deferring} (position, events) VALUES ($1, $2)', [event.position, event.type === 'Poison' ? -1 : 1]);
      },
    });
    await withProjections(store, [deferring], {}, async (projections) => {
      await store.appendToStream('a', counted(2));
      const { lastPosition: poison } = await store.appendToStream('a', [{ type: 'Poison', data: {} }]);
      await store.appendToStream('a', counted(1));
      await assert.rejects(projections.waitFor('deferring', poison, 5000), /failed at position/);
      const [failed] = await projections.status();
      assert.deepEqual([failed!.state, failed!.errorPosition, failed!.position], ['failed', poison, poison - 1]);
      const rows = await store.readModels.transaction({ t: store.readModels.table('deferring') }, (db) => db.all('SELECT position FROM {t}'));
      assert.equal(rows.length, 2, 'the events before the poison took effect, once');
    });
  });

  it('waiting for a projection whose handler throws rejects promptly with ProjectionFailedError, the handler\'s error as its cause', async (store) => {
    await withProjections(store, [countingProjection()], { retryDelaysMs: [] }, async (projections) => {
      await store.appendToStream('a', counted(1));
      const { lastPosition: poison } = await store.appendToStream('a', [{ type: 'Poison', data: {} }]);
      const started = Date.now();
      await assert.rejects(projections.waitFor('stream_counts', poison, 30_000), (error) => {
        assert.ok(error instanceof ProjectionFailedError, String(error));
        assert.equal(error.code, 'PROJECTION_FAILED');
        assert.equal(error.projection, 'stream_counts');
        assert.equal(error.position, poison);
        assert.ok(error.cause instanceof Error && error.cause.message === `poison at ${poison}`, String(error.cause));
        return true;
      });
      assert.ok(Date.now() - started < 10_000, `rejected after ${Date.now() - started} ms, not at the 30 s timeout`);
      // A process that runs no projection knows the failure only by what the checkpoint says.
      await assert.rejects(projectionControls(store, [countingProjection()]).waitFor('stream_counts', poison, 30_000), (error) => {
        assert.ok(error instanceof ProjectionFailedError, String(error));
        assert.equal(error.cause, undefined);
        assert.equal(error.reason, `poison at ${poison}`);
        return true;
      });
    });
  });

  it('a poison event stops its projection in failed; others go on; retry and skip recover it', async (store) => {
    let poisoned = true;
    const list = [countingProjection({ poisoned: () => poisoned }), countingProjection({ name: 'healthy', poisoned: () => false })];
    await withProjections(store, list, {}, async (projections) => {
      await store.appendToStream('a', counted(2));
      const { lastPosition: poison } = await store.appendToStream('a', [{ type: 'Poison', data: {} }]);
      const { lastPosition } = await store.appendToStream('a', counted(1));
      await projections.waitFor('healthy', lastPosition);
      await assert.rejects(projections.waitFor('stream_counts', lastPosition, 5000), /failed at position/);
      const failed = (await projections.status()).find((s) => s.name === 'stream_counts')!;
      assert.equal(failed.state, 'failed');
      assert.equal(failed.errorPosition, poison);
      assert.match(failed.error!, /poison/);
      assert.equal(failed.position, poison - 1);
      assert.deepEqual(await counts(store), { a: 2 });

      // Skip refuses any position but the failed one, and a retry of a running projection.
      await assert.rejects(projections.skip('stream_counts', poison + 1), ValidationError);
      await assert.rejects(projections.retry('healthy'), ValidationError);

      await projections.retry('stream_counts');
      await sleep(100);
      assert.equal((await projections.status()).find((s) => s.name === 'stream_counts')!.state, 'failed');
      await projections.skip('stream_counts', poison);
      await projections.waitFor('stream_counts', lastPosition);
      assert.deepEqual(await counts(store), { a: 3 });

      poisoned = false;
      const { lastPosition: next } = await store.appendToStream('b', [{ type: 'Poison', data: {} }]);
      await projections.waitFor('stream_counts', next);
      assert.deepEqual(await counts(store), { a: 3, b: 1 });
    });
  });

  it('a rebuild builds fresh tables, reports progress, and swaps them in while queries keep answering', async (store) => {
    for (let i = 0; i < 6; i++) await store.appendToStream(`s${i % 2}`, counted(50));
    await withProjections(store, [countingProjection({ slow: true })], { batchSize: 100 }, async (projections) => {
      await projections.waitFor('stream_counts', await store.headPosition(), 30_000);
      const before = await counts(store);
      const answered: Record<string, number>[] = [];
      const progress: number[] = [];
      const rebuilding = projections.rebuild('stream_counts', { batchSize: 40, onProgress: (p) => progress.push(p.events) });
      while (progress.length < 2) {
        answered.push(await counts(store));
        await sleep(5);
      }
      const result = await rebuilding;
      assert.ok(answered.length > 0 && answered.every((a) => JSON.stringify(a) === JSON.stringify(before)), 'queries answered from the old tables');
      assert.equal(result.events, 300);
      assert.ok(progress.length >= 2 && progress.at(-1) === 300);
      assert.deepEqual(await counts(store), before);
      assert.equal((await projections.status())[0]!.state, 'running');
      const { lastPosition } = await store.appendToStream('s0', counted(1));
      await projections.waitFor('stream_counts', lastPosition);
      assert.equal((await counts(store)).s0, 151);
    });
  });

  it('a rebuild lets the process serve between its batches', async (store) => {
    for (let i = 0; i < 10; i++) await store.appendToStream(`s${i % 2}`, counted(50));
    await withProjections(store, [countingProjection()], { batchSize: 100 }, async (projections) => {
      await projections.waitFor('stream_counts', await store.headPosition(), 30_000);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 0);
      try {
        const result = await projections.rebuild('stream_counts', { batchSize: 50 });
        assert.equal(result.events, 500);
        assert.ok(ticks > 0, 'a timer fired while the rebuild ran');
      } finally {
        clearInterval(timer);
      }
    });
  });

  it('a new projection version rebuilds the read model when it starts', async (store) => {
    await store.appendToStream('a', counted(4));
    await withProjections(store, [countingProjection()], {}, (p) => p.waitFor('stream_counts', 4));
    await withProjections(store, [countingProjection({ version: 2 })], {}, async (projections) => {
      await projections.waitFor('stream_counts', 4);
      const [status] = await projections.status();
      assert.equal(status!.version, 2);
      const rows = await store.readModels.transaction({ t: store.readModels.table('stream_counts') }, (db) => db.all<{ version: number }>('SELECT version FROM {t}'));
      assert.deepEqual(rows.map((r) => Number(r.version)), [2004]);
    });
  });

  it('refuses bad projection definitions and unknown names', async (store) => {
    assert.throws(() => defineProjection({ name: 'Bad Name', eventTypes: ['A'], tables: ['t'], setup: '', handle: () => {} }), (e) => e instanceof ValidationError && e.field === 'name');
    assert.throws(() => defineProjection({ name: 'ok', eventTypes: [], tables: ['t'], setup: '', handle: () => {} }), (e) => e instanceof ValidationError && e.field === 'eventTypes');
    assert.throws(() => defineProjection({ name: 'ok', eventTypes: ['A'], tables: ['bad-table'], setup: '', handle: () => {} }), (e) => e instanceof ValidationError && e.field === 'tables[0]');
    assert.throws(() => startProjections(store, [countingProjection(), countingProjection()]), ValidationError);
    assert.throws(() => startProjections(store, [countingProjection()], { inline: ['nope'] }), ValidationError);
    await withProjections(store, [countingProjection()], {}, async (projections) => {
      await assert.rejects(projections.waitFor('nope', 1), ValidationError);
      await assert.rejects(projections.rebuild('nope'), ValidationError);
    });
  });
}
