// Pruning the blog's posts on every store: abandoned drafts archived and removed whole,
// long-lived posts compacted; a lagging projection protected; archives verified and
// restored exactly; a run stopped before its deletion finished by the next.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  ArchiveInvalidError,
  compactingEvolve,
  days,
  defineProjection,
  lastPrune,
  outboxMessage,
  planPrune,
  pruneStore,
  PruneRefusedError,
  PrunedHistoryError,
  registeredConsumers,
  resumePrunes,
  restoreArchive,
  RestoreConflictError,
  RetentionPolicyError,
  retentionPolicy,
  startProjections,
  verifyArchive,
  type EventStore,
  type RecordedEvent,
  type StreamsRemoved,
  type RetentionRunData,
} from '../../src/index.js';
import { onEveryStore } from '../../src/testing/test-stores.js';
import { outboxCheckpoints } from '../../src/workflows/outbox/checkpoint.js';
import { checkpoints as workflowCheckpoints, ensureTables, tablesOf as workflowTables } from '../../src/workflows/tables.js';

type Post = { status: 'none' | 'draft' | 'published'; title: string; edits: number };

const post = {
  initialState: (): Post => ({ status: 'none', title: '', edits: 0 }),
  evolve(state: Post, event: { type: string; data: unknown }): Post {
    const data = event.data as { title: string };
    switch (event.type) {
      case 'PostWasDrafted':
        return { status: 'draft', title: data.title, edits: 0 };
      case 'PostWasEdited':
        return { ...state, title: data.title, edits: state.edits + 1 };
      case 'PostWasPublished':
        return { ...state, status: 'published' };
      default:
        return state;
    }
  },
  stateSchemaVersion: 1,
};

const LATER = new Date(Date.now() + days(2 * 365));

const abandonedDrafts = retentionPolicy<Post>({
  name: 'abandoned drafts',
  category: 'post',
  when: (state, { lastRecordedAt, now }) => state.status === 'draft' && now.getTime() - lastRecordedAt.getTime() > days(365),
  fold: post,
});
const longPosts = retentionPolicy<Post>({ name: 'long posts', category: 'post', maxCount: 5, fold: post });
const POLICIES = [abandonedDrafts, longPosts];

/** post-1 a draft, post-2 published with 30 edits, post-3 published with 2: 3 + 33 + 4 events. */
async function blog(store: EventStore): Promise<void> {
  await store.appendToStream('post-1', [{ type: 'PostWasDrafted', data: { title: 'draft' } }, { type: 'PostWasEdited', data: { title: 'draft 2' } }]);
  await store.appendToStream('post-2', [{ type: 'PostWasDrafted', data: { title: 'long' } }, { type: 'PostWasPublished', data: {} }]);
  await store.appendToStream('post-3', [{ type: 'PostWasDrafted', data: { title: 'short' } }, { type: 'PostWasPublished', data: {} }]);
  for (let i = 1; i <= 30; i++) await store.appendToStream('post-2', [{ type: 'PostWasEdited', data: { title: `long v${i}` } }]);
  await store.appendToStream('post-3', [{ type: 'PostWasEdited', data: { title: 'short 2' } }, { type: 'PostWasEdited', data: { title: 'short 3' } }]);
  await store.appendToStream('post-1', [{ type: 'PostWasEdited', data: { title: 'draft 3' } }]);
}

async function withFolder(work: (folder: string) => Promise<void>): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-archives-'));
  try {
    await work(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** A projection that keeps the place of every event it sees, in a table named after it. */
function positionsProjection(name: string) {
  return defineProjection({
    name,
    eventTypes: ['PostWasDrafted', 'PostWasEdited', 'PostWasPublished', 'StreamCompacted'],
    tables: [name],
    setup: `CREATE TABLE IF NOT EXISTS {${name}} (position BIGINT PRIMARY KEY, stream_id TEXT NOT NULL, version INTEGER NOT NULL)`,
    handle: async (e, db) => void (await db.run(`INSERT INTO {${name}} (position, stream_id, version) VALUES ($1, $2, $3)`, [e.position, e.streamId, e.version])),
  });
}

const fold = (store: EventStore, streamId: string) => store.foldStream(streamId, post.initialState(), compactingEvolve(post));
const positions = async (store: EventStore) => {
  const all = [];
  for await (const e of store.readAll()) all.push(`${e.streamId}@${e.version}#${e.position}`);
  return all;
};

onEveryStore((name) => `pruning the blog on ${name}`, (backend) => {
  test('a dry run reports per policy and stream what it would remove, and writes nothing', () =>
    backend.withStore(async (store) => {
      await blog(store);
      await withFolder(async (folder) => {
        const before = await positions(store);
        const archives = join(folder, 'archives');
        const report = await pruneStore(store, { policies: POLICIES, archiveDir: archives, dryRun: true, now: LATER });
        assert.equal(report.run, undefined);
        assert.deepEqual(
          report.plan.streams.map((s) => [s.policy, s.streamId, s.action, s.fromVersion, s.upToVersion, s.events]),
          [
            ['abandoned drafts', 'post-1', 'remove', 1, 3, 3],
            ['long posts', 'post-2', 'compact', 1, 27, 27],
          ],
        );
        assert.deepEqual(report.plan.policies.map((p) => [p.policy, p.streams, p.events]), [['abandoned drafts', 1, 3], ['long posts', 1, 27]]);
        assert.ok(report.plan.bytes > 0 && report.plan.bytes === report.plan.policies.reduce((n, p) => n + p.bytes, 0));
        assert.deepEqual(await positions(store), before, 'no event written or removed');
        assert.equal(existsSync(archives), false, 'no archive folder made');
      });
    }));

  test('a prune archives and removes the abandoned draft, compacts the long post, and every fold still ends where it did', () =>
    backend.withStore(async (store) => {
      await blog(store);
      await withFolder(async (folder) => {
        const full = await Promise.all(['post-1', 'post-2', 'post-3'].map((id) => fold(store, id)));
        const removedAsStored = [...(await store.retention.readStored('post-1', 1, 10)), ...(await store.retention.readStored('post-2', 1, 27))];
        const head = await store.headPosition();
        const phases = new Set<string>();
        await store.snapshots.save({ streamId: 'post-1', version: 3, schemaVersion: 1, state: full[0]!.state });
        await store.snapshots.save({ streamId: 'post-3', version: 4, schemaVersion: 1, state: full[2]!.state });

        const report = await pruneStore(store, { policies: POLICIES, archiveDir: folder, now: LATER, onProgress: (p) => phases.add(p.phase) });

        assert.deepEqual([...phases], ['plan', 'compact', 'archive', 'delete']);
        assert.equal(report.removed, 30);
        assert.deepEqual(await store.readStream('post-1'), []);
        const post2 = await store.readStream('post-2');
        assert.deepEqual(post2.map((e) => e.version), [28, 29, 30, 31, 32, 33]);
        assert.equal(post2.at(-1)!.type, 'StreamCompacted');
        assert.ok(post2.at(-1)!.position > head, 'the compaction took a new position');
        assert.equal(await store.retention.prunedTo('post-2'), 27);
        assert.equal(await store.snapshots.load('post-1'), undefined, 'the removed draft kept no snapshot');
        assert.equal((await store.snapshots.load('post-3'))?.version, 4);
        assert.deepEqual((await fold(store, 'post-2')).state, full[1]!.state, 'compaction then fold equals the fold of the full history');
        assert.deepEqual((await fold(store, 'post-3')).state, full[2]!.state);
        // Versions keep counting: the removed draft goes on at 4.
        assert.equal((await store.appendToStream('post-1', [{ type: 'PostWasDrafted', data: { title: 'again' } }], { expectedVersion: 3 })).nextExpectedVersion, 4);

        const [run] = await store.readStream('$retention');
        const data = run!.data as RetentionRunData;
        assert.equal(data.run, report.run);
        assert.deepEqual([data.streams, data.events, data.archive, data.sha256], [2, 30, `archive-${report.run}.jsonl.gz`, report.archive!.sha256]);
        assert.deepEqual(data.policy, ['abandoned drafts', 'long posts']);
        const last = await lastPrune(store);
        assert.deepEqual([last?.run, last?.events, last?.measured], [report.run, 30, true], 'the run and its measured space');
        assert.deepEqual([last?.bytesBefore, last?.bytesAfter], [report.bytesBefore, report.bytesAfter]);
        const verified = await verifyArchive(report.archive!.file);
        assert.equal(verified.events, 30);
        // The archive holds the removed events exactly as they were stored.
        const lines = gunzipSync(await readFile(report.archive!.file)).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { position: number; data: unknown; eventId: string });
        assert.deepEqual(lines.map((l) => [l.position, l.eventId, l.data]), removedAsStored.map((e) => [e.position, e.eventId, e.data]));
      });
    }));

  test('a lagging projection blocks a prune; forced, the run names it; a projection started after sees every surviving event once, in order', () =>
    backend.withStore(async (store) => {
      const seen = positionsProjection('seen');
      await store.appendToStream('post-2', [{ type: 'PostWasDrafted', data: { title: 'long' } }]);
      const lagging = startProjections(store, [seen], { pollIntervalMs: 20 });
      await lagging.waitFor('seen', await store.headPosition());
      await lagging.stop();
      await blog(store);
      await withFolder(async (folder) => {
        const before = await positions(store);
        await assert.rejects(pruneStore(store, { policies: POLICIES, archiveDir: folder, now: LATER }), (error: unknown) => {
          assert.ok(error instanceof PruneRefusedError);
          assert.equal(error.reason, 'stranded-consumers');
          assert.deepEqual(error.consumers, ['projection seen']);
          return true;
        });
        assert.deepEqual(await positions(store), before, 'the refused prune wrote nothing');
        assert.deepEqual(await readdir(folder), []);
        const dry = await planPrune(store, POLICIES, { now: LATER });
        assert.deepEqual(dry.stranded.map((c) => c.name), ['seen']);
        assert.deepEqual(dry.notRebuildableFromZero, ['seen']);

        const forced = await pruneStore(store, { policies: POLICIES, archiveDir: folder, now: LATER, force: true });
        const [run] = await store.readStream('$retention');
        assert.deepEqual((run!.data as RetentionRunData).forced, ['projection seen']);
        assert.ok(forced.removed > 0);
      });

      const fresh = positionsProjection('fresh');
      const projections = startProjections(store, [fresh], { pollIntervalMs: 20 });
      try {
        await projections.waitFor('fresh', await store.headPosition());
      } finally {
        await projections.stop();
      }
      const rows = await store.readModels.transaction({ t: store.readModels.table('fresh') }, (db) =>
        db.all<{ position: number | string; stream_id: string; version: number | string }>('SELECT position, stream_id, version FROM {t} ORDER BY position'),
      );
      const surviving = (await positions(store)).filter((p) => p.startsWith('post-'));
      assert.deepEqual(rows.map((r) => `${r.stream_id}@${Number(r.version)}#${Number(r.position)}`), surviving);
    }));

  test('workflows and outbox relays are registered consumers too: behind, they block a prune; caught up, they do not', () =>
    backend.withStore(async (store) => {
      // A message not yet delivered, recorded before the events the prune would remove.
      const { lastPosition: message } = await store.appendToStream('workflow-publishing-p0', [outboxMessage('blog.posts.published', { postId: 'p0' })]);
      await blog(store);
      const head = await store.headPosition();
      await ensureTables(store.readModels);
      await store.readModels.transaction(workflowTables(store.readModels), async (db) => {
        await workflowCheckpoints.ensure(db, 'publishing');
        workflowCheckpoints.advance(db, 'publishing', head);
      });
      await outboxCheckpoints.ensure(store.readModels, 'broker');
      // A relay reads only messages: it is behind the first one it has not delivered.
      assert.deepEqual(
        (await registeredConsumers(store)).map((c) => [c.kind, c.name, c.position]),
        [['workflow', 'publishing', head], ['outbox relay', 'broker', message - 1]],
      );
      await withFolder(async (folder) => {
        await assert.rejects(pruneStore(store, { policies: POLICIES, archiveDir: folder, now: LATER }), (error: unknown) => {
          assert.ok(error instanceof PruneRefusedError);
          assert.deepEqual(error.consumers, ['outbox relay broker']);
          return true;
        });
        // Delivered, nothing else waits: the relay is as far as the head.
        await outboxCheckpoints.delivered(store.readModels, 'broker', message);
        assert.deepEqual((await registeredConsumers(store)).find((c) => c.kind === 'outbox relay')?.position, head);
        assert.equal((await pruneStore(store, { policies: POLICIES, archiveDir: folder, now: LATER })).removed, 30);
      });
    }));

  test('after a prune, a projection that takes StreamCompacted rebuilds from the compacted start; once a stream is compacted, one that does not is refused unless it accepts the loss', () =>
    backend.withStore(async (store) => {
      const titleOf = (e: RecordedEvent) => (e.type === 'StreamCompacted' ? (e.data as { state: Post }).state.title : (e.data as { title?: string }).title);
      const titles = (name: string, eventTypes: string[]) =>
        defineProjection({
          name,
          eventTypes,
          tables: [name],
          setup: `CREATE TABLE IF NOT EXISTS {${name}} (stream_id TEXT PRIMARY KEY, title TEXT NOT NULL)`,
          async handle(e, db) {
            const title = titleOf(e);
            if (title === undefined) return;
            await db.run(`INSERT INTO {${name}} (stream_id, title) VALUES ($1, $2) ON CONFLICT (stream_id) DO UPDATE SET title = excluded.title`, [e.streamId, title]);
          },
        });
      const compacting = titles('titles', ['PostWasDrafted', 'PostWasEdited', 'StreamCompacted']);
      // Only the first title: post-2's went with its pruned prefix.
      const plain = titles('plain_titles', ['PostWasDrafted']);
      const rowsOf = (name: string) =>
        store.readModels.transaction({ t: store.readModels.table(name) }, (db) => db.all<{ stream_id: string; title: string }>('SELECT stream_id, title FROM {t} ORDER BY stream_id'));
      await blog(store);
      const projections = startProjections(store, [compacting, plain], { pollIntervalMs: 20 });
      try {
        await projections.waitFor('titles', await store.headPosition());
        await projections.waitFor('plain_titles', await store.headPosition());
        const before = (await rowsOf('titles')).filter((r) => r.stream_id !== 'post-1');
        await withFolder(async (folder) => {
          // A removal alone refuses no rebuild: the removed stream is meant to leave no row.
          await pruneStore(store, { policies: [abandonedDrafts], archiveDir: folder, now: LATER });
          await projections.rebuild('plain_titles');
          await projections.waitFor('plain_titles', await store.headPosition());
          assert.deepEqual((await rowsOf('plain_titles')).map((r) => r.stream_id), ['post-2', 'post-3']);
          await pruneStore(store, { policies: POLICIES, archiveDir: folder, now: LATER });
        });

        await projections.rebuild('titles');
        assert.deepEqual(await rowsOf('titles'), before, 'the compacted post keeps its row');
        await assert.rejects(projections.rebuild('plain_titles'), PrunedHistoryError);
        await projections.rebuild('plain_titles', { acceptPrunedHistory: true });
        assert.deepEqual((await rowsOf('plain_titles')).map((r) => r.stream_id), ['post-3'], 'without StreamCompacted, the compacted post lost its row');
      } finally {
        await projections.stop();
      }
    }));

  test('bad policies, and a prefix with nothing to compact it, are refused before anything is written', () =>
    backend.withStore(async (store) => {
      await blog(store);
      await withFolder(async (folder) => {
        const before = await positions(store);
        const bad = [
          [],
          [retentionPolicy({ name: 'x', category: 'post', maxCount: 0, fold: post })],
          [retentionPolicy({ name: 'x', category: 'post-1', maxCount: 1 })],
          [retentionPolicy({ name: 'x', category: '$retention', maxCount: 1 })],
          [retentionPolicy({ name: 'x', category: 'post' })],
          [retentionPolicy<Post>({ name: 'x', category: 'post', when: () => true })],
          [longPosts, abandonedDrafts],
          [abandonedDrafts, abandonedDrafts],
        ];
        for (const policies of bad) await assert.rejects(pruneStore(store, { policies, archiveDir: folder, now: LATER }), RetentionPolicyError);
        const noFold = retentionPolicy({ name: 'no fold', category: 'post', maxCount: 5 });
        await assert.rejects(pruneStore(store, { policies: [noFold], archiveDir: folder, now: LATER }), (error: unknown) => {
          assert.ok(error instanceof PruneRefusedError);
          assert.equal(error.reason, 'compaction-required');
          assert.deepEqual(error.streams, ['post-2']);
          return true;
        });
        assert.deepEqual(await positions(store), before);
        assert.deepEqual(await readdir(folder), []);
      });
    }));

  test('an archive restores byte for byte: into the same store at its positions, and into another store', () =>
    backend.withStore(async (store, openOther) => {
      await blog(store);
      await withFolder(async (folder) => {
        const asStored = async (s: EventStore) => Promise.all(['post-1', 'post-2'].map((id) => s.retention.readStored(id, 1, 100)));
        const before = await asStored(store);
        const { archive } = await pruneStore(store, { policies: POLICIES, archiveDir: folder, now: LATER });

        const other = await openOther();
        await restoreArchive(archive!.file, other);
        const [draft, long] = await asStored(other);
        assert.deepEqual(draft, before[0]);
        assert.deepEqual(long, before[1]!.slice(0, 27));

        const head = await store.headPosition();
        const restored = await restoreArchive(archive!.manifest, store);
        assert.equal(restored.restored, 30);
        assert.equal(restored.auditPosition, head + 1);
        const after = await asStored(store);
        assert.deepEqual(after[0], before[0]);
        assert.deepEqual(after[1]!.slice(0, before[1]!.length), before[1]);
        // A consumer already past the positions reads only what came after it: the audit event.
        const past = await store.readAllPage({ after: head });
        assert.deepEqual(past.map((e) => e.type), ['RetentionRestored']);
        await assert.rejects(restoreArchive(archive!.file, store), RestoreConflictError);

        // A tampered archive does not verify, and restores nothing.
        const lines = gunzipSync(await readFile(archive!.file)).toString('utf8').replace('draft 2', 'draft X');
        await writeFile(archive!.file, gzipSync(lines));
        await assert.rejects(verifyArchive(archive!.file), ArchiveInvalidError);
        const third = await openOther();
        await assert.rejects(restoreArchive(archive!.file, third), ArchiveInvalidError);
        assert.equal((await third.stats()).events, 0);
      });
    }));

  test('a closed stream that gets an event before its deletion undoes the run: nothing deleted, the archive removed', () =>
    backend.withStore(async (store) => {
      await blog(store);
      await withFolder(async (folder) => {
        const stop = new Error('stopped');
        const stopAtDelete = (p: { phase: string }) => {
          if (p.phase === 'delete') throw stop;
        };
        await assert.rejects(pruneStore(store, { policies: POLICIES, archiveDir: folder, now: LATER, onProgress: stopAtDelete }), (e) => e === stop);
        const before = await positions(store);
        // The abandoned draft is edited again before the run is finished.
        await store.appendToStream('post-1', [{ type: 'PostWasEdited', data: { title: 'back' } }]);
        const resumed = await resumePrunes(store, folder);
        assert.deepEqual([resumed.finished, resumed.discarded.length], [[], 1]);
        assert.deepEqual(await readdir(folder), []);
        assert.deepEqual((await positions(store)).slice(0, before.length), before, 'nothing was deleted');
        assert.deepEqual(await store.readStream('$retention'), []);
      });
    }));

  test('a run stopped after its archive and before its deletion is finished by the next; a half-written archive is discarded', () =>
    backend.withStore(async (store, openOther) => {
      await blog(store);
      await withFolder(async (folder) => {
        const stop = new Error('stopped');
        await assert.rejects(
          pruneStore(store, {
            policies: POLICIES,
            archiveDir: folder,
            now: LATER,
            onProgress: (p) => {
              if (p.phase === 'delete') throw stop;
            },
          }),
          (error) => error === stop,
        );
        assert.equal((await store.readStream('post-1')).length, 3, 'the events are all still there');
        assert.equal((await readdir(folder)).length, 2, 'an archive and its manifest');
        await writeFile(join(folder, 'archive-zz.jsonl.gz.partial'), 'half');
        // Another store with the same posts does not hold these events as archived: left alone.
        const other = await openOther();
        await blog(other);
        const foreign = await resumePrunes(other, folder);
        assert.deepEqual([foreign.finished, foreign.skipped.length], [[], 1]);
        assert.equal((await other.readStream('post-1')).length, 3);

        // While another live process holds the folder, nothing is touched; a holder that is gone is taken over.
        await writeFile(join(folder, 'prune.lock'), String(process.pid));
        await assert.rejects(resumePrunes(store, folder), (error: unknown) => error instanceof PruneRefusedError && error.reason === 'busy');
        await writeFile(join(folder, 'prune.lock'), '999999999');

        const resumed = await resumePrunes(store, folder);
        assert.equal(resumed.finished.length, 1);
        assert.deepEqual(resumed.discarded, []);
        assert.deepEqual(await store.readStream('post-1'), []);
        assert.equal(await store.retention.prunedTo('post-2'), 27);
        const runs = await store.readStream('$retention');
        // The run, and the stream it removed whole, for the read models that keep a row of it.
        assert.deepEqual(runs.map((e) => e.type), ['RetentionRun', 'StreamsRemoved']);
        assert.equal((runs[0]!.data as RetentionRunData).resumed, true);
        assert.deepEqual((runs[1]!.data as StreamsRemoved).streams, ['post-1']);
        // Running again finds it done, and nothing more to prune.
        const again = await pruneStore(store, { policies: POLICIES, archiveDir: folder, now: LATER });
        assert.deepEqual([again.run, again.resumed.finished], [undefined, []]);
        assert.equal((await store.readStream('$retention')).length, 2);
      });
    }));
});
