// The Lab's retention on every store, in-process, on a store opened as the Lab opens it:
// the blog's policies listed; a dry run a year and a bit later plans the abandoned drafts
// away and writes nothing; a run removes them (archived first), appends a RetentionRun
// and shows in the runs list, newest first, page by page; a projection left behind
// refuses a run (409 naming it) until it is forced, as another pruner holding the
// archive folder does (409 busy); and every bad request is a 400 that writes nothing.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { days, defineProjection, RETENTION_STREAM, startProjections, verifyArchive, type EventStore } from '../../../src/index.js';
import { blogRetentionPolicies } from '../../../examples/blog/index.js';
import type { PrunePlanJson, PruneReportJson, RetentionPoliciesJson, RetentionRunsJson } from '../../../lab/api-types.js';
import type { LabOptions } from '../../../lab/server/index.js';
import { assertError, call, givenAuthor, onEveryPrivateStore, type PrivateLabStory } from './support.js';

/** A year and a month from now: every draft written today is abandoned by then. */
const LATER = () => new Date(Date.now() + days(400));

const head = async (store: EventStore) => (await store.stats()).events;

/** Given: a published post and two drafts by one author; the drafts' stream ids. */
async function givenBlog(app: FastifyInstance, prefix = 'p'): Promise<string[]> {
  const authorId = await givenAuthor(app);
  for (const postId of [`${prefix}-kept`, `${prefix}-draft-a`, `${prefix}-draft-b`]) {
    const created = await call(app, 'POST', '/api/posts', { postId, title: postId, body: 'words', authorId });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  assert.equal((await call(app, 'PUT', `/api/posts/${prefix}-draft-b`, { title: 'second thoughts' })).status, 200);
  assert.equal((await call(app, 'POST', `/api/posts/${prefix}-kept/publish`)).status, 200);
  return [`post-${prefix}-draft-a`, `post-${prefix}-draft-b`];
}

onEveryPrivateStore((name) => `the Lab's retention on ${name}`, (withPrivateLab) => {
  /** The Lab with an archive folder of its own, judging retention a year and a bit ahead unless told otherwise. */
  const withRetentionLab = (story: (app: FastifyInstance, store: EventStore, archiveDir: string) => Promise<void>, options: Partial<LabOptions> = {}) =>
    withArchives((archiveDir) => withPrivateLab(((app, store) => story(app, store, archiveDir)) as PrivateLabStory, { archiveDir, retentionNow: LATER, ...options }));

  test("the blog's policies are listed with their rules and the archive folder", () =>
    withRetentionLab(async (app, _store, archiveDir) => {
      const answer = await call<RetentionPoliciesJson>(app, 'GET', '/api/retention/policies');
      assert.equal(answer.status, 200);
      assert.equal(answer.body.archiveDir, archiveDir);
      assert.deepEqual(answer.body.policies, [
        { name: 'abandoned drafts', category: 'post', maxAge: null, maxCount: null, truncateBefore: null, when: true, fold: { stateSchemaVersion: 1 } },
        { name: 'long-lived posts', category: 'post', maxAge: null, maxCount: 50, truncateBefore: null, when: true, fold: { stateSchemaVersion: 1 } },
      ]);
    }));

  test('a dry run plans the abandoned drafts away, strands no one, and writes nothing', () =>
    withRetentionLab(async (app, store, archiveDir) => {
      const drafts = await givenBlog(app);
      const before = await head(store);

      const answer = await call<PrunePlanJson>(app, 'POST', '/api/retention/dry-run');
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const plan = answer.body;
      assert.deepEqual(plan.streams.map((s) => [s.policy, s.streamId, s.action, s.fromVersion, s.upToVersion, s.events]), [
        ['abandoned drafts', drafts[0], 'remove', 1, 1, 1],
        ['abandoned drafts', drafts[1], 'remove', 1, 2, 2],
      ]);
      assert.deepEqual(plan.policies.map((p) => [p.policy, p.streams, p.events]), [['abandoned drafts', 2, 3], ['long-lived posts', 0, 0]]);
      assert.equal(plan.events, 3);
      assert.ok(plan.bytes > 0 && plan.bytes === plan.streams.reduce((n, s) => n + s.bytes, 0));
      assert.deepEqual(plan.stranded, [], "the Lab's own projections and workflow are caught up");
      assert.ok(plan.consumers.some((c) => c.kind === 'projection' && c.name === 'posts'));
      assert.ok(plan.consumers.some((c) => c.kind === 'workflow' && c.name === 'review'));
      assert.deepEqual(plan.notRebuildableFromZero, plan.consumers.filter((c) => c.kind === 'projection').map((c) => c.name));
      assert.equal(plan.omittedStreams, 0);

      assert.equal(await head(store), before, 'nothing written');
      assert.equal((await store.readStream(drafts[0]!)).length, 1, 'the draft is still there');
      assert.equal(existsSync(archiveDir), false, 'no archive folder made');
    }));

  test('judged today, nothing is abandoned yet: the plan is empty', () =>
    withRetentionLab(
      async (app) => {
        await givenBlog(app);
        const plan = (await call<PrunePlanJson>(app, 'POST', '/api/retention/dry-run', {})).body;
        assert.deepEqual([plan.events, plan.streams, plan.stranded], [0, [], []]);
      },
      { retentionNow: () => new Date() },
    ));

  test('a run removes the abandoned drafts, archived first, records a RetentionRun, and lists it', () =>
    withRetentionLab(async (app, store, archiveDir) => {
      const drafts = await givenBlog(app);

      const answer = await call<PruneReportJson>(app, 'POST', '/api/retention/prune', {});
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const report = answer.body;
      assert.match(report.run ?? '', /^\d{8}T\d{9}Z-[0-9a-f]{6}$/);
      assert.equal(report.removed, 3);
      assert.deepEqual([report.changed, report.forced], [[], []]);
      assert.ok(report.archive !== null && report.archive.file.startsWith(archiveDir));
      assert.equal((await verifyArchive(report.archive.file)).manifest.events, 3, 'the archive holds the three events');

      for (const draft of drafts) assertError(await call(app, 'GET', `/api/streams/${draft}`), 404);
      assert.equal((await call(app, 'GET', '/api/streams/post-p-kept')).status, 200, 'the published post stays');
      const [recorded] = await store.readStream(RETENTION_STREAM);
      assert.equal(recorded?.type, 'RetentionRun');

      const runs = await call<RetentionRunsJson>(app, 'GET', '/api/retention/runs');
      assert.equal(runs.status, 200);
      assert.equal(runs.body.nextCursor, null);
      assert.deepEqual(
        runs.body.items.map((r) => r.type === 'RetentionRun' && [r.run, r.policy, r.streams, r.events, r.archive, r.sha256, r.forced, r.resumed, r.measured]),
        [[report.run, ['abandoned drafts'], 2, 3, report.archive.file.split('/').at(-1), report.archive.sha256, [], false, true]],
      );
      const [run] = runs.body.items;
      assert.ok(run?.type === 'RetentionRun');
      assert.deepEqual([run.bytesBefore, run.bytesAfter], [report.bytesBefore, report.bytesAfter], "the bytes measured once the run's space was given back");

      const again = await call<PruneReportJson>(app, 'POST', '/api/retention/prune');
      assert.deepEqual([again.status, again.body.run, again.body.removed], [200, null, 0], 'nothing left to prune');
    }));

  test('the runs list is newest first, a page at a time', () =>
    withRetentionLab(async (app) => {
      await givenBlog(app, 'first');
      const first = (await call<PruneReportJson>(app, 'POST', '/api/retention/prune')).body.run;
      await givenBlog(app, 'second');
      const second = (await call<PruneReportJson>(app, 'POST', '/api/retention/prune')).body.run;

      const page1 = await call<RetentionRunsJson>(app, 'GET', '/api/retention/runs?limit=1');
      assert.deepEqual(page1.body.items.map((r) => r.run), [second]);
      assert.notEqual(page1.body.nextCursor, null);
      const page2 = await call<RetentionRunsJson>(app, 'GET', `/api/retention/runs?limit=1&before=${page1.body.nextCursor}`);
      assert.deepEqual([page2.body.items.map((r) => r.run), page2.body.nextCursor], [[first], null]);
    }));

  test('a projection left behind refuses the run (409 naming it, nothing written); forced, the run names it', () =>
    withRetentionLab(async (app, store, archiveDir) => {
      // A consumer of another process that stopped before the drafts were written.
      const behind = defineProjection({
        name: 'behind',
        eventTypes: ['PostWasCreated'],
        tables: ['behind_posts'],
        setup: 'CREATE TABLE IF NOT EXISTS {behind_posts} (position BIGINT PRIMARY KEY)',
        handle: (event, db) => db.run('INSERT INTO {behind_posts} (position) VALUES ($1)', [event.position]).then(() => {}),
      });
      const running = startProjections(store, [behind], { pollIntervalMs: 20 });
      await running.waitFor('behind', await store.headPosition());
      await running.stop();
      const drafts = await givenBlog(app);
      const before = await head(store);

      const plan = (await call<PrunePlanJson>(app, 'POST', '/api/retention/dry-run')).body;
      assert.deepEqual(plan.stranded.map((c) => [c.kind, c.name]), [['projection', 'behind']], 'the dry run names it too');

      const refused = await call(app, 'POST', '/api/retention/prune', { force: false });
      assertError(refused, 409, { error: 'PRUNE_REFUSED', message: /projection behind at \d+/ });
      assert.deepEqual(refused.body.details, { reason: 'stranded-consumers', consumers: ['projection behind'], streams: [] });
      assert.equal(await head(store), before, 'nothing written');
      assert.equal((await store.readStream(drafts[0]!)).length, 1);
      assert.deepEqual(await archivesIn(archiveDir), [], 'no archive written');

      const forced = await call<PruneReportJson>(app, 'POST', '/api/retention/prune', { force: true });
      assert.equal(forced.status, 200, JSON.stringify(forced.body));
      assert.deepEqual([forced.body.removed, forced.body.forced], [3, ['projection behind']]);
      const runs = (await call<RetentionRunsJson>(app, 'GET', '/api/retention/runs')).body.items;
      assert.ok(runs[0]?.type === 'RetentionRun');
      assert.deepEqual(runs[0].forced, ['projection behind']);
    }, { readYourWritesMs: 300 }));

  test('while another prune process holds the archive folder, a run is 409 busy and writes nothing', () =>
    withRetentionLab(async (app, store, archiveDir) => {
      await givenBlog(app);
      const before = await head(store);
      // Another pruner, alive, holding the folder as a run does: its process id in prune.lock.
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
      try {
        await mkdir(archiveDir, { recursive: true });
        await writeFile(join(archiveDir, 'prune.lock'), String(other.pid));
        const busy = await call(app, 'POST', '/api/retention/prune');
        assertError(busy, 409, { error: 'PRUNE_REFUSED', message: new RegExp(`another prune \\(process ${other.pid}\\)`) });
        assert.equal((busy.body.details as { reason: string }).reason, 'busy');
        assert.equal(await head(store), before, 'nothing written');
        assert.deepEqual(await archivesIn(archiveDir), []);
      } finally {
        other.kill('SIGKILL');
      }
    }));

  test('bad requests are 400 with a JSON body naming the field, and write nothing', () =>
    withRetentionLab(async (app, store, archiveDir) => {
      await givenBlog(app);
      const before = await head(store);
      const cases: [string, string, unknown, string][] = [
        ['POST', '/api/retention/prune', { force: 'yes' }, 'force'],
        ['POST', '/api/retention/prune', { force: 1 }, 'force'],
        ['POST', '/api/retention/prune', { dryRun: true }, 'dryRun'],
        ['POST', '/api/retention/prune', [true], 'body'],
        ['POST', '/api/retention/prune?force=true', undefined, 'force'],
        ['POST', '/api/retention/dry-run', { now: '2030-01-01' }, 'now'],
        ['GET', '/api/retention/runs?limit=0', undefined, 'limit'],
        ['GET', '/api/retention/runs?limit=ten', undefined, 'limit'],
        ['GET', '/api/retention/runs?before=-1', undefined, 'before'],
        ['GET', '/api/retention/runs?after=3', undefined, 'after'],
        ['GET', '/api/retention/policies?verbose=1', undefined, 'verbose'],
      ];
      for (const [method, url, body, field] of cases) {
        assertError(await call(app, method as 'GET', url, body), 400, { field });
      }
      assertError(await call(app, 'POST', '/api/retention/prune', 'force', { 'content-type': 'text/plain' }), 415);
      assert.equal(await head(store), before, 'nothing written');
      assert.equal(existsSync(archiveDir), false, 'no archive folder made');
    }));

  test('with a token, a run without it is 401 and writes nothing', () =>
    withRetentionLab(
      async (app, store, archiveDir) => {
        const auth = { authorization: 'Bearer s3cret' };
        const authorId = (await call<{ authorId: string }>(app, 'POST', '/api/authors', { name: 'Ada', email: 'ada@example.org' }, auth)).body.authorId;
        assert.equal((await call(app, 'POST', '/api/posts', { postId: 'lone', title: 'Lone', body: '…', authorId }, auth)).status, 201);
        const before = await head(store);
        assertError(await call(app, 'POST', '/api/retention/prune', {}), 401, { error: 'UNAUTHORIZED' });
        assert.equal(await head(store), before);
        assert.equal(existsSync(archiveDir), false);
        const answer = await call<PruneReportJson>(app, 'POST', '/api/retention/prune', {}, auth);
        assert.deepEqual([answer.status, answer.body.removed], [200, 1]);
      },
      { token: 's3cret' },
    ));

  test('a dry run lists the published posts a smaller keep would compact', () =>
    withRetentionLab(
      async (app, store) => {
        await givenBlog(app);
        for (const title of ['one', 'two', 'three']) assert.equal((await call(app, 'PUT', '/api/posts/p-kept', { title })).status, 200);
        const before = await head(store);
        const plan = (await call<PrunePlanJson>(app, 'POST', '/api/retention/dry-run')).body;
        const kept = plan.streams.find((s) => s.streamId === 'post-p-kept');
        assert.deepEqual(kept && [kept.policy, kept.action, kept.fromVersion, kept.upToVersion, kept.version], ['long-lived posts', 'compact', 1, 3, 5]);
        assert.equal(await head(store), before, 'no StreamCompacted written by a dry run');
      },
      { retentionPolicies: blogRetentionPolicies({ keptEvents: 2 }) },
    ));
});

async function withArchives(story: (archiveDir: string) => Promise<void>): Promise<void> {
  const parent = await mkdtemp(join(tmpdir(), 'eventline-lab-archives-'));
  try {
    await story(join(parent, 'archives'));
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

async function archivesIn(folder: string): Promise<string[]> {
  return existsSync(folder) ? (await readdir(folder)).filter((name) => name.startsWith('archive-')) : [];
}
