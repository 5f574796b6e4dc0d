// The Lab's review and workflow routes on every store, over real HTTP (the app
// listening on a free port): a post submitted for review and approved for a time just
// ahead is published by the review workflow when that time comes; the instance's
// story, the list by status, a parked instance and its retry, the outbox in health,
// and every refusal as JSON with nothing written.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventStore } from '../../../src/index.js';
import { onEveryStore } from '../../../src/testing/index.js';
import { buildLab, type LabOptions } from '../../../lab/server/index.js';
import type { PostJson, WorkflowDetailJson, WorkflowSummaryJson } from '../../../lab/api-types.js';
import { handleAuthorCommand, newAuthorId } from '../../../examples/blog/index.js';
import { eventually, testPrivacy } from './support.js';

interface Answer<Body> {
  status: number;
  body: Body;
}

interface ReviewAnswer {
  postId: string;
  version: number;
  events: { type: string; data: Record<string, unknown> }[];
  post: PostJson | null;
}

interface ErrorJson {
  status: number;
  error: string;
  message: string;
  details: Record<string, unknown>;
}

/** The author of every post here, registered in each story's store. */
const authorId = newAuthorId();

/** The Lab on `store`, listening on a free port of 127.0.0.1, for `story`. */
async function withHttpLab(store: EventStore, story: (http: Http) => Promise<void>, options: Partial<LabOptions> = {}): Promise<void> {
  await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId, name: 'Ada', email: 'ada@example.org' });
  const app = await buildLab({ store, privacy: options.privacy ?? (await testPrivacy(store)), logger: false, pollIntervalMs: 50, timerPollMs: 50, workflowRetryDelaysMs: [5], ...options });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    await story(httpClient(url));
  } finally {
    await app.close();
  }
}

interface Http {
  get<Body>(path: string): Promise<Answer<Body>>;
  post<Body>(path: string, body?: unknown): Promise<Answer<Body>>;
}

function httpClient(base: string): Http {
  async function send<Body>(method: string, path: string, body?: unknown): Promise<Answer<Body>> {
    const response = await fetch(base + path, {
      method,
      ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path} answers JSON`);
    return { status: response.status, body: (await response.json()) as Body };
  }
  return { get: (path) => send('GET', path), post: (path, body) => send('POST', path, body) };
}

/** Then: a refusal with this status and code, as the Lab's JSON error. */
function assertRefused(answer: Answer<unknown>, status: number, error: string, expected: { field?: string; message?: RegExp } = {}): void {
  const body = answer.body as ErrorJson;
  assert.equal(answer.status, status, JSON.stringify(body));
  assert.deepEqual([body.status, body.error, typeof body.message, typeof body.details], [status, error, 'string', 'object']);
  if (expected.field !== undefined) assert.equal(body.details.field, expected.field);
  if (expected.message !== undefined) assert.match(body.message, expected.message);
}

async function createPost(http: Http, postId: string): Promise<void> {
  const created = await http.post('/api/posts', { postId, title: `Title of ${postId}`, body: 'Body.', authorId });
  assert.equal(created.status, 201, JSON.stringify(created.body));
}

const streamVersion = async (store: EventStore, streamId: string) => (await store.readStream(streamId)).length;

onEveryStore((name) => `the Lab's review and workflows on ${name}`, (backend) => {
  test('a post submitted, then approved for a moment ahead, is published by the review workflow when the time comes', () =>
    backend.withStore((store) =>
      withHttpLab(store, async (http) => {
        await createPost(http, 'hello');
        const submitted = await http.post<ReviewAnswer>('/api/posts/hello/submit');
        assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
        assert.deepEqual(submitted.body.events.map((e) => e.type), ['PostSubmittedForReview']);
        assert.equal(submitted.body.post?.status, 'in_review');

        // The workflow starts the review (StartReview, a deadline), then an editor approves for 400 ms ahead.
        await eventually('the review started', async () => ((await streamVersion(store, 'post-hello')) >= 3 ? true : undefined));
        const publishAt = new Date(Date.now() + 400).toISOString();
        const approved = await http.post<ReviewAnswer>('/api/posts/hello/review', { decision: 'approve', publishAt });
        assert.equal(approved.status, 200, JSON.stringify(approved.body));
        assert.deepEqual(approved.body.events.map((e) => [e.type, e.data.publishAt]), [['PostApproved', publishAt]]);
        assert.equal(approved.body.post?.status, 'scheduled');

        const published = await eventually('the post is published', async () => {
          const post = await http.get<PostJson>('/api/posts/hello');
          return post.body.status === 'published' ? post.body : undefined;
        });
        assert.ok(Date.parse(published.publishedAt!) >= Date.parse(publishAt), 'not before its time');
        const events = await store.readStream('post-hello');
        assert.equal(events.filter((e) => e.type === 'PostWasPublished').length, 1);

        const detail = await eventually('the instance completed', async () => {
          const answer = await http.get<WorkflowDetailJson>('/api/workflows/workflow-review-hello');
          return answer.body.status === 'completed' ? answer.body : undefined;
        });
        assert.deepEqual(detail.inputs.map((i) => [i.type, i.status]), [
          ['PostSubmittedForReview', 'decided'],
          ['WorkflowCommandDone', 'decided'],
          ['PostApproved', 'decided'],
          ['TimerFired', 'decided'],
          ['WorkflowCommandDone', 'decided'],
        ]);
        assert.deepEqual(detail.outputs.map((o) => o.type), [
          'WorkflowCommandSent', 'TimerScheduled', 'TimerCancelled', 'TimerScheduled', 'WorkflowCommandSent', 'OutboxMessage', 'WorkflowCompleted',
        ]);
        assert.deepEqual(detail.timers.map((t) => [t.name, t.state, t.dueAt === publishAt || t.name === 'reminder']), [['reminder', 'cancelled', true], ['publish', 'fired', true]]);
        assert.deepEqual(detail.commands.map((c) => [c.command.type, c.outcome]), [['StartReview', 'succeeded'], ['PublishPost', 'succeeded']]);
        assert.deepEqual((detail.state as { postId: string }).postId, 'hello');
        assert.equal(detail.error, null);
        assert.ok(detail.events.every((e, i) => e.version === i + 1 && typeof e.recordedAt === 'string'));

        // The announcement waits in the outbox: no relay runs without NATS.
        const health = await http.get<{ outbox: unknown }>('/api/health');
        assert.deepEqual(health.body.outbox, { undelivered: 1, relay: 'off' });
      }),
    ));

  test('a rejection with a reason returns the post to draft; the instance ends compensated', () =>
    backend.withStore((store) =>
      withHttpLab(store, async (http) => {
        await createPost(http, 'nope');
        assert.equal((await http.post('/api/posts/nope/submit', {})).status, 200);
        const rejected = await http.post<ReviewAnswer>('/api/posts/nope/review', { decision: 'reject', reason: 'Needs a source.' });
        assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
        assert.deepEqual(rejected.body.events.map((e) => e.type), ['PostRejected']);
        await eventually('the post is a draft again', async () => ((await http.get<PostJson>('/api/posts/nope')).body.status === 'draft' ? true : undefined));
        const detail = await eventually('the instance compensated', async () => {
          const answer = await http.get<WorkflowDetailJson>('/api/workflows/workflow-review-nope');
          return answer.body.status === 'compensated' ? answer.body : undefined;
        });
        assert.equal(detail.reason, 'Needs a source.');
        const listed = await http.get<{ items: WorkflowSummaryJson[]; counts: Record<string, number> }>('/api/workflows?status=compensated');
        assert.deepEqual(listed.body.items.map((i) => i.streamId), ['workflow-review-nope']);
        assert.equal(listed.body.counts.compensated, 1);
      }),
    ));

  test('refused reviews: 404, 409 and 400 as JSON, each writing nothing', () =>
    backend.withStore((store) =>
      withHttpLab(store, async (http) => {
        await createPost(http, 'draft');
        await createPost(http, 'inreview');
        assert.equal((await http.post('/api/posts/inreview/submit')).status, 200);
        const before = { draft: await streamVersion(store, 'post-draft'), inreview: await streamVersion(store, 'post-inreview') };

        assertRefused(await http.post('/api/posts/ghost/submit'), 404, 'NOT_FOUND', { message: /Post does not exist/ });
        assertRefused(await http.post('/api/posts/inreview/submit'), 409, 'DOMAIN_RULE_VIOLATED', { message: /Only a draft can be submitted for review/ });
        assertRefused(await http.post('/api/posts/draft/submit', { decision: 'approve' }), 400, 'VALIDATION_FAILED', { field: 'decision' });
        assertRefused(await http.post('/api/posts/draft/review', { decision: 'approve' }), 409, 'DOMAIN_RULE_VIOLATED', { message: /Post is not in review/ });
        assertRefused(await http.post('/api/posts/ghost/review', { decision: 'approve' }), 404, 'NOT_FOUND');
        assertRefused(await http.post('/api/posts/inreview/review', { decision: 'maybe' }), 400, 'VALIDATION_FAILED', { field: 'decision', message: /must be one of approve, reject/ });
        assertRefused(await http.post('/api/posts/inreview/review', {}), 400, 'VALIDATION_FAILED', { field: 'decision', message: /is required/ });
        assertRefused(await http.post('/api/posts/inreview/review', { decision: 'approve', publishAt: 'tomorrow' }), 400, 'VALIDATION_FAILED', { field: 'publishAt' });
        assertRefused(await http.post('/api/posts/inreview/review', { decision: 'approve', publishAt: '2026-05-01T09:00:00' }), 400, 'VALIDATION_FAILED', { field: 'publishAt' });
        assertRefused(await http.post('/api/posts/inreview/review', { decision: 'approve', publishAt: 1_800_000_000_000 }), 400, 'VALIDATION_FAILED', { field: 'publishAt' });
        assertRefused(await http.post('/api/posts/inreview/review', { decision: 'reject' }), 400, 'VALIDATION_FAILED', { field: 'reason' });
        assertRefused(await http.post('/api/posts/inreview/review', { decision: 'reject', reason: 'x', publishAt: '2026-05-01T09:00:00Z' }), 400, 'VALIDATION_FAILED', { field: 'publishAt' });
        assertRefused(await http.post('/api/posts/inreview/review', { decision: 'approve', when: 'now' }), 400, 'VALIDATION_FAILED', { field: 'when' });

        // The workflow may still be starting the review of `inreview`: wait for it before comparing.
        await eventually('the review started', async () => ((await streamVersion(store, 'post-inreview')) >= 3 ? true : undefined));
        assert.equal(await streamVersion(store, 'post-draft'), before.draft, 'nothing written to the draft');
        assert.deepEqual((await store.readStream('post-inreview')).map((e) => e.type), ['PostWasCreated', 'PostSubmittedForReview', 'PostReviewStarted']);
      }),
    ));

  test('workflows: the list by status, one instance, a parked instance retried; unknown ids and statuses refused', () =>
    backend.withStore((store) =>
      withHttpLab(store, async (http) => {
        await createPost(http, 'one');
        await http.post('/api/posts/one/submit');
        // A submission the blog's own commands could not make: its post id has a space, so the
        // workflow's StartReview is refused by the blog's checks, again and again, and the instance parks.
        await store.appendToStream('post-odd', [{ type: 'PostSubmittedForReview', data: { postId: 'odd id', title: 'Odd', authorId: 'ada' } }]);
        const parked = await eventually('the odd instance is parked', async () => {
          const answer = await http.get<WorkflowDetailJson>(`/api/workflows/${encodeURIComponent('workflow-review-odd id')}`);
          return answer.body.status === 'parked' ? answer.body : undefined;
        });
        assert.match(parked.error!, /command StartReview failed: postId: must not contain spaces/);

        const all = await http.get<{ items: WorkflowSummaryJson[]; nextCursor: string | null; counts: Record<string, number> }>('/api/workflows');
        assert.equal(all.status, 200);
        assert.deepEqual(all.body.items.map((i) => [i.streamId, i.status]), [['workflow-review-odd id', 'parked'], ['workflow-review-one', 'running']]);
        assert.deepEqual(all.body.counts, { parked: 1, running: 1 });
        assert.match(all.body.items[0]!.startedAt, /^\d{4}-\d\d-\d\dT/);
        const running = await http.get<{ items: WorkflowSummaryJson[] }>('/api/workflows?status=running');
        assert.deepEqual(running.body.items.map((i) => i.streamId), ['workflow-review-one']);
        const firstPage = await http.get<{ items: WorkflowSummaryJson[]; nextCursor: string | null }>('/api/workflows?limit=1');
        assert.deepEqual([firstPage.body.items.length, firstPage.body.nextCursor], [1, 'workflow-review-odd id']);
        const secondPage = await http.get<{ items: WorkflowSummaryJson[]; nextCursor: string | null }>(`/api/workflows?limit=1&cursor=${encodeURIComponent(firstPage.body.nextCursor!)}`);
        assert.deepEqual([secondPage.body.items.map((i) => i.streamId), secondPage.body.nextCursor], [['workflow-review-one'], null]);

        // Retried, the command is delivered again; the blog refuses it again, so the instance parks again.
        const oddStream = 'workflow-review-odd id';
        const retried = await http.post<{ streamId: string; status: string }>(`/api/workflows/${encodeURIComponent(oddStream)}/retry`);
        assert.deepEqual([retried.status, retried.body], [200, { streamId: oddStream, status: 'retried' }]);
        await eventually('parked again after the retry', async () => {
          const types = (await store.readStream(oddStream)).map((e) => e.type);
          return types.filter((t) => t === 'WorkflowParked').length === 2 ? true : undefined;
        });

        const oneVersion = await streamVersion(store, 'workflow-review-one');
        assertRefused(await http.post('/api/workflows/workflow-review-one/retry'), 409, 'DOMAIN_RULE_VIOLATED', { message: /is not parked \(it is running\)/ });
        assert.equal(await streamVersion(store, 'workflow-review-one'), oneVersion, 'a refused retry writes nothing');
        assertRefused(await http.post('/api/workflows/workflow-review-ghost/retry'), 404, 'NOT_FOUND');
        assertRefused(await http.get('/api/workflows/workflow-review-ghost'), 404, 'NOT_FOUND', { message: /no workflow instance workflow-review-ghost/ });
        assertRefused(await http.get('/api/workflows/post-one'), 400, 'VALIDATION_FAILED', { field: 'id' });
        assertRefused(await http.get('/api/workflows?status=sleeping'), 400, 'VALIDATION_FAILED', { field: 'status', message: /must be one of running, parked/ });
        assertRefused(await http.get('/api/workflows?limit=0'), 400, 'VALIDATION_FAILED', { field: 'limit' });
        assertRefused(await http.get('/api/workflows?workflow=review'), 400, 'VALIDATION_FAILED', { field: 'workflow' });
        assertRefused(await http.post('/api/workflows/workflow-review-one/retry', { now: true }), 400, 'VALIDATION_FAILED', { field: 'now' });
      }),
    ));
});
