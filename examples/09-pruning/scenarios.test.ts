// The blog after a prune, told as given / when / then and run on every store: a
// compacted post takes commands, loads as an aggregate and from a snapshot, goes
// through the editorial review, and is rebuilt into both read models from the state
// its StreamCompacted event carries; a compaction of a shape the blog does not know is
// refused, not misread.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  everyNEvents,
  loadState,
  pruneStore,
  rebuildProjection,
  retentionPolicy,
  startProjections,
  startWorkflows,
  STREAM_COMPACTED,
  ValidationError,
  type EventStore,
  type RetentionPolicy,
} from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import {
  handlePostCommand,
  POST_SNAPSHOT_SCHEMA_VERSION,
  postDecider,
  postRepository,
  postRetentionFold,
  postStreamId,
  reviewCommandHandlers,
  reviewPost,
  reviewWorkflow,
  submitPostForReview,
  type PostState,
} from '../blog/index.js';
import { authorStatsProjection, postsProjection, projections, type AuthorStatsRow, type PostRow } from '../blog/read-side/index.js';
import { rowsOf } from '../blog/read-side/testing.js';

/** Every post keeps its newest two events; the rest become one StreamCompacted. */
const SHORT_HISTORY = retentionPolicy<PostState>({ name: 'short history', category: 'post', maxCount: 2, fold: postRetentionFold });

/** Given: a post by ada, created, edited `edits` times and published when `published`. */
async function givenPost(store: EventStore, postId: string, { edits, published }: { edits: number; published: boolean }): Promise<void> {
  await handlePostCommand(store, { type: 'CreatePost', postId, title: `Post ${postId}`, body: '…', authorId: 'ada' });
  for (let i = 1; i <= edits; i++) await handlePostCommand(store, { type: 'EditPost', postId, body: `Revision ${i}` });
  if (published) await handlePostCommand(store, { type: 'PublishPost', postId });
}

/** When: the store is pruned under `policies`, archives in a folder of their own. */
async function pruned(store: EventStore, policies: RetentionPolicy[] = [SHORT_HISTORY]): Promise<number> {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-09-archives-'));
  try {
    return (await pruneStore(store, { policies, archiveDir: folder })).removed;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

const load = async (store: EventStore, postId: string) => loadState(store, postStreamId(postId), postDecider);

onEveryStore((name) => `the blog after a prune on ${name}`, (backend) => {
  test('given a published post compacted by a prune, when it is edited, loaded as an aggregate and unpublished, then it goes on from the state it had', () =>
    backend.withStore(async (store) => {
      await givenPost(store, 'long', { edits: 10, published: true });
      const before = await load(store, 'long');
      assert.equal(await pruned(store), 10);

      const compacted = await load(store, 'long');
      assert.deepEqual([compacted.state, compacted.version], [before.state, 13]);
      const edited = await handlePostCommand(store, { type: 'EditPost', postId: 'long', title: 'Long, revised' });
      assert.equal(edited.nextExpectedVersion, 14);

      const posts = postRepository(store);
      const post = await posts.load('long');
      assert.deepEqual(post.state, { ...before.state, title: 'Long, revised' });
      post.unpublish();
      await posts.save(post);
      assert.equal((await load(store, 'long')).state.status, 'draft');
    }));

  test('given a snapshot taken after the pruned prefix, when the post loads with it, then the state is the one the full history gave', () =>
    backend.withStore(async (store) => {
      await givenPost(store, 'long', { edits: 10, published: true });
      const snapshots = { schemaVersion: POST_SNAPSHOT_SCHEMA_VERSION, policy: everyNEvents(1) };
      await handlePostCommand(store, { type: 'EditPost', postId: 'long', title: 'Snapshotted' }, { snapshots });
      const full = await load(store, 'long');
      await pruned(store);

      // The snapshot (version 13) reflects more than the pruned prefix (1 to 11): kept.
      assert.equal((await store.snapshots.load(postStreamId('long')))?.version, 13);
      const loaded = await loadState(store, postStreamId('long'), postDecider, { snapshots });
      assert.deepEqual([loaded.state, loaded.snapshotVersion], [full.state, 13]);
    }));

  test('given a draft in review whose history was compacted, when an editor approves it, then the review workflow publishes it', () =>
    backend.withStore(async (store) => {
      const workflows = startWorkflows(store, [reviewWorkflow], { timers: false, commands: reviewCommandHandlers(store), retryDelaysMs: [5, 10], pollIntervalMs: 20 });
      try {
        await givenPost(store, 'reviewed', { edits: 5, published: false });
        await submitPostForReview(store, 'reviewed');
        await workflows.idle();
        assert.equal((await load(store, 'reviewed')).state.status, 'in_review');
        assert.ok((await pruned(store)) > 0);
        assert.equal((await store.readStream(postStreamId('reviewed')))[0]?.version, (await load(store, 'reviewed')).version - 2);

        await reviewPost(store, { postId: 'reviewed', decision: 'approve' });
        await workflows.idle();

        assert.equal((await load(store, 'reviewed')).state.status, 'published');
      } finally {
        await workflows.stop();
      }
    }));

  test('given the blog read models and a prune, when both are rebuilt from position 0, then they hold what they held before', () =>
    backend.withStore(async (store) => {
      await givenPost(store, 'long', { edits: 10, published: true });
      await givenPost(store, 'draft', { edits: 4, published: false });
      await handlePostCommand(store, { type: 'CreatePost', postId: 'other', title: 'By grace', body: '…', authorId: 'grace' });
      // Another category's compaction shares the type, not the shape: the blog's read models leave it alone.
      await store.appendToStream('invoice-1', [{ type: STREAM_COMPACTED, data: { upToVersion: 0, state: { total: 3 }, stateSchemaVersion: 1 } }]);
      const running = startProjections(store, projections, { pollIntervalMs: 20 });
      const caughtUp = async () => {
        for (const { name } of projections) await running.waitFor(name, await store.headPosition(), 10_000);
      };
      const columns = ({ post_id, title, status, author_id, version }: PostRow) => ({ post_id, title, status, author_id, version });
      try {
        await caughtUp();
        await pruned(store);
        await caughtUp();
        const live = { posts: await rowsOf<PostRow>(store, 'posts', 'post_id'), stats: await rowsOf<AuthorStatsRow>(store, 'author_stats', 'author_id') };
        assert.deepEqual(live.stats, [{ author_id: 'ada', posts: 2, published_posts: 1 }, { author_id: 'grace', posts: 1, published_posts: 0 }]);

        await rebuildProjection(store, postsProjection);
        await rebuildProjection(store, authorStatsProjection);

        assert.deepEqual((await rowsOf<PostRow>(store, 'posts', 'post_id')).map(columns), live.posts.map(columns));
        assert.deepEqual(await rowsOf<AuthorStatsRow>(store, 'author_stats', 'author_id'), live.stats);
      } finally {
        await running.stop();
      }
    }));

  test('given a compaction of a post state shape the blog does not know, when a command loads the post, then it is refused and nothing is written', () =>
    backend.withStore(async (store) => {
      await givenPost(store, 'future', { edits: 0, published: false });
      const state = { status: 'draft', postId: 'future', headline: 'A newer shape', authorId: 'ada' };
      await store.appendToStream(postStreamId('future'), [{ type: STREAM_COMPACTED, data: { upToVersion: 1, state, stateSchemaVersion: POST_SNAPSHOT_SCHEMA_VERSION + 1 } }]);

      await assert.rejects(handlePostCommand(store, { type: 'EditPost', postId: 'future', title: 'Edited' }), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.field, 'stateSchemaVersion');
        return true;
      });
      assert.equal((await store.readStream(postStreamId('future'))).length, 2);
    }));
});
