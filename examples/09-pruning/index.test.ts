// Runs the example as its reader would, on memory, on a SQLite file and on PostgreSQL,
// and checks the figures of its story: what the dry run plans, the refusal while a
// projection lags, what the run removes and keeps, the states, versions and positions
// after it, the archive restored exactly, and the read model rebuilt from position 0.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { postgresTestUrl, postgresUnavailable } from '../../src/testing/index.js';
import { ABANDONED, FRESH, KEPT_EVENTS, LONG, main, SHORT, type Story } from './index.js';

/** What the plan of the dry run and of the run says: the policy, stream, action, versions and events of each stream. */
const EXPECTED_PLAN = [
  ['long-lived posts', `post-${LONG}`, 'compact', 1, 122 - KEPT_EVENTS, 122 - KEPT_EVENTS],
  ['abandoned drafts', 'post-half-a-thought', 'remove', 1, 2, 2],
  ['abandoned drafts', 'post-notes-to-self', 'remove', 1, 2, 2],
  ['abandoned drafts', 'post-old-ideas', 'remove', 1, 2, 2],
];

function checkStory(story: Story): void {
  const { dryRun, refused, run, streams, states, edit, archive } = story;
  const plan = (s: Story['dryRun']['streams']) => s.map((p) => [p.policy, p.streamId, p.action, p.fromVersion, p.upToVersion, p.events]);

  // The dry run plans, and writes nothing.
  assert.deepEqual(plan(dryRun.streams), EXPECTED_PLAN);
  assert.deepEqual(dryRun.policies.map((p) => [p.policy, p.streams, p.events]), [['abandoned drafts', 3, 6], ['long-lived posts', 1, 102]]);
  const planned = dryRun.streams.reduce((n, s) => n + s.bytes, 0);
  assert.ok(planned > 0);
  assert.equal(dryRun.policies.reduce((n, p) => n + p.bytes, 0), planned);
  assert.deepEqual(dryRun.stranded, ['projection posts']);
  assert.ok(dryRun.unchanged, 'the dry run changed the store');

  // The lagging projection stops the run: nothing written, no archive.
  assert.deepEqual([refused.reason, refused.consumers, refused.unchanged, refused.archiveFiles], ['stranded-consumers', ['projection posts'], true, []]);

  // Caught up, the run removes what the dry run planned, and records it.
  assert.equal(run.removed, 108);
  assert.deepEqual(run.streams, dryRun.streams);
  const { recorded } = run;
  assert.deepEqual([recorded.streams, recorded.events, recorded.forced, recorded.resumed], [4, 108, [], false]);
  assert.deepEqual([...recorded.policy].sort(), ['abandoned drafts', 'long-lived posts']);
  assert.equal(recorded.bytesBefore - recorded.bytesAfter, planned);

  // Drafts gone whole; the long post compacted, its newest events kept; the others untouched.
  for (const postId of ABANDONED) assert.deepEqual(streams[postId], { first: 0, last: 0, events: 0, lastType: undefined });
  assert.deepEqual(streams[LONG], { first: 123 - KEPT_EVENTS, last: 123, events: KEPT_EVENTS + 1, lastType: 'StreamCompacted' });
  assert.deepEqual(streams[SHORT], { first: 1, last: 3, events: 3, lastType: 'PostWasEdited' });
  assert.deepEqual(streams[FRESH], { first: 1, last: 1, events: 1, lastType: 'PostWasCreated' });

  // Every surviving post loads as it did; the next edit counts on, at a new position.
  for (const [postId, { before, after }] of Object.entries(states)) assert.deepEqual(after, before, postId);
  assert.equal(states[LONG]!.after.status, 'published');
  assert.equal(edit.version, 124);
  assert.ok(edit.position > edit.headBefore + 1, `position ${edit.position} after ${edit.headBefore}, the compaction and the RetentionRun`);

  // The archive verifies and gives back exactly the removed events.
  assert.deepEqual([archive.verified, archive.restored, archive.removed.length], [108, 108, 108]);
  assert.deepEqual(archive.restoredAsStored, archive.removed);

  // The running projection drops the removed drafts' rows as it reads the run's StreamsRemoved.
  assert.deepEqual(story.liveRows, [LONG, FRESH, SHORT]);

  // Rebuilt from position 0: each surviving post's row as its state says, the drafts gone.
  const rows = story.rebuilt.map(({ post_id, title, status, author_id, version }) => ({ post_id, title, status, author_id, version }));
  assert.deepEqual(rows, story.expectedRows);
  assert.deepEqual(rows.map((r) => r.post_id), [LONG, FRESH, SHORT]);
  assert.match(story.lines.join('\n'), /RetentionRun: bytes \d+ before, \d+ after/);
}

test('the pruning story on memory', async () => {
  checkStory(await main('memory:', () => {}));
});

test('the same story on a SQLite file', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-09-'));
  try {
    checkStory(await main(`sqlite:${join(folder, 'events.db')}`, () => {}, folder));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

const postgres = postgresUnavailable();
test('the same story on PostgreSQL', { skip: postgres?.required === false ? postgres.reason : false }, async () => {
  if (postgres?.required) assert.fail(postgres.reason);
  const database = postgresTestUrl()!;
  try {
    checkStory(await main(await database.freshUrl(), () => {}));
  } finally {
    await database.dropAll();
  }
});
