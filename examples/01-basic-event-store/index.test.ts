// Runs the example as its reader would, on memory and on a SQLite file: the same
// story, the same answers, whichever store keeps the events.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main, type Story } from './index.js';

function checkStory(story: Story): void {
  // A stream reads back in version order.
  assert.deepEqual(story.stream.map((e) => [e.streamId, e.version, e.type]), [
    ['post-1', 1, 'PostWasCreated'],
    ['post-1', 2, 'PostWasPublished'],
  ]);
  // Read all interleaves the streams in the order their events were recorded.
  assert.deepEqual(story.all.map((e) => [e.streamId, e.type]), [
    ['post-1', 'PostWasCreated'],
    ['post-2', 'PostWasCreated'],
    ['post-1', 'PostWasPublished'],
  ]);
  const positions = story.all.map((e) => e.position);
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  // The stale writer expected version 1; the stream was at 2; nothing was written.
  assert.equal(story.conflict.code, 'CONCURRENCY_CONFLICT');
  assert.equal(story.conflict.expected, 1);
  assert.equal(story.conflict.actual, 2);
  assert.match(story.lines.at(-1)!, /post-1 still holds 2 events/);
}

test('the basic event store story on memory', async () => {
  checkStory(await main('memory:', () => {}));
});

test('the same story on a SQLite file', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-01-'));
  try {
    checkStory(await main(`sqlite:${join(folder, 'events.db')}`, () => {}));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
