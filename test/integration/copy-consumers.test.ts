// A copy carries the consumers over: the blog's projections run on SQLite, the store is
// copied into PostgreSQL (SQLite again without a server), and on the target the same
// projections go on from their translated checkpoints, applying only the events
// appended after the copy, with no rebuild; their rows equal the source's. The outbox
// relay's and a workflow's checkpoints are translated too. The source has pruned history, so source and
// target positions differ.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { postsProjection, authorStatsProjection } from '../../examples/blog/read-side/index.js';
import { copyStore, defineProjection, openEventStore, startProjections, type EventStore, type Projection } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/postgres.js';
import { outboxCheckpoints } from '../../src/workflows/outbox/checkpoint.js';
import { checkpoints as workflowCheckpoints, ensureTables, tablesOf as workflowTables } from '../../src/workflows/tables.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-copy-consumers-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const postgres = postgresTestUrl();
if (postgres) after(() => postgres.dropAll());
const targetUrl = async () => (postgres ? postgres.freshUrl() : `sqlite:${join(dir, 'target.db')}`);

const created = (postId: string, authorId: string) => ({ type: 'PostWasCreated', data: { postId, title: `Title ${postId}`, body: 'b', authorId } });
const edited = (postId: string, title: string) => ({ type: 'PostWasEdited', data: { postId, title, body: 'b' } });
const published = (postId: string) => ({ type: 'PostWasPublished', data: { postId } });

/** The projection as it is, counting the events its handler is given. */
function counting(projection: Projection, seen: string[]): Projection {
  return defineProjection({ ...projection, setup: (db) => projection.setup(db), handle: async (event, db) => (seen.push(`${event.streamId}@${event.version}`), projection.handle(event, db)) });
}

async function runUntilCaughtUp(store: EventStore, projections: readonly Projection[]): Promise<void> {
  const running = startProjections(store, projections, { pollIntervalMs: 20 });
  try {
    const head = await store.headPosition();
    for (const p of projections) await running.waitFor(p.name, head, 20_000);
  } finally {
    await running.stop();
  }
}

async function rows(store: EventStore, table: string, key: string): Promise<unknown[]> {
  const readModels = store.readModels;
  const found = await readModels.transaction({ [table]: readModels.table(table) }, (db) => db.all<Record<string, unknown>>(`SELECT * FROM {${table}} ORDER BY ${key}`));
  // PostgreSQL and SQLite give numbers alike through the store's parsers; compare plain values.
  return found.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

test('the blog projections continue on the copy from their translated checkpoints, with no rebuild', { timeout: 60_000 }, async () => {
  const from = await openEventStore(`sqlite:${join(dir, 'blog.db')}`);
  const to = await openEventStore(await targetUrl());
  try {
    // Given a blog on SQLite whose first stream was pruned away, its projections caught up.
    await from.appendToStream('scratch-1', Array.from({ length: 5 }, (_, n) => ({ type: 'Scratched', data: { n } })));
    await from.retention.prune([{ streamId: 'scratch-1', upToVersion: 5 }], { streamId: '$retention', events: [{ type: 'Pruned', data: {} }] });
    await from.appendToStream('post-1', [created('post-1', 'ada'), edited('post-1', 'First'), published('post-1')]);
    await from.appendToStream('post-2', [created('post-2', 'bo')]);
    await from.appendToStream('post-3', [created('post-3', 'ada'), published('post-3')]);
    await runUntilCaughtUp(from, [postsProjection, authorStatsProjection]);
    await outboxCheckpoints.ensure(from.readModels, 'relay');
    await outboxCheckpoints.delivered(from.readModels, 'relay', 9);
    await ensureTables(from.readModels);
    await from.readModels.transaction(workflowTables(from.readModels), async (db) => {
      await workflowCheckpoints.ensure(db, 'review');
      workflowCheckpoints.advance(db, 'review', 10);
    });
    const sourceHead = await from.headPosition();

    // When it is copied.
    const targetEpoch = await to.epoch();
    const report = await copyStore(from, to);
    const epoch = await to.epoch();
    assert.ok(epoch !== targetEpoch && epoch !== (await from.epoch()), 'the copy minted the target an epoch of its own');

    // Then the rows are the source's, and each checkpoint names the same event in the target.
    const targetHead = await to.headPosition();
    assert.ok(targetHead < sourceHead, 'pruned positions are not carried, so the target positions differ');
    assert.deepEqual(await rows(to, 'posts', 'post_id'), await rows(from, 'posts', 'post_id'));
    assert.deepEqual(await rows(to, 'author_stats', 'author_id'), await rows(from, 'author_stats', 'author_id'));
    const checkpoints = Object.fromEntries(report.checkpoints.map((c) => [`${c.kind} ${c.name}`, c]));
    assert.deepEqual(checkpoints['projection posts'], { kind: 'projection', name: 'posts', from: sourceHead, to: targetHead });
    const [atNine] = await from.retention.readStoredAll(8, 1);
    const relayTo = (await outboxCheckpoints.read(to.readModels, 'relay')).position;
    const [copiedNine] = await to.retention.readStoredAll(relayTo - 1, 1);
    assert.equal(copiedNine?.eventId, atNine?.eventId, 'the relay checkpoint names the same event in the target');
    const [atTen] = await from.retention.readStoredAll(9, 1);
    const reviewTo = await to.readModels.transaction(workflowTables(to.readModels), (db) => workflowCheckpoints.get(db, 'review'));
    const [copiedTen] = await to.retention.readStoredAll(reviewTo - 1, 1);
    assert.equal(copiedTen?.eventId, atTen?.eventId, 'the workflow checkpoint names the same event in the target');

    // And when more is written to the target, its projections apply only that.
    await to.appendToStream('post-2', [edited('post-2', 'Second')], { expectedVersion: 1 });
    await to.appendToStream('post-4', [created('post-4', 'bo')]);
    const seen: string[] = [];
    await runUntilCaughtUp(to, [counting(postsProjection, seen), authorStatsProjection]);
    assert.deepEqual(seen, ['post-2@2', 'post-4@1'], 'no rebuild: only the new events');
    const posts = (await rows(to, 'posts', 'post_id')) as { post_id: string; title: string }[];
    assert.deepEqual(posts.map((p) => `${p.post_id}:${p.title}`), ['post-1:First', 'post-2:Second', 'post-3:Title post-3', 'post-4:Title post-4']);
  } finally {
    await Promise.all([from.close(), to.close()]);
  }
});
