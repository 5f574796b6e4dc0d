// Runs the example as its reader would, on memory and on a SQLite file, and checks
// the story it tells: 10,000 events folded without a snapshot, none with one.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main, type Story } from './index.js';

function checkStory(story: Story): void {
  assert.equal(story.foldedWithout, 10_000);
  assert.equal(story.foldedWith, 0);
  assert.ok(story.mostFoldedUnderPolicy < 100, `at most ${story.mostFoldedUnderPolicy} events folded`);
  assert.deepEqual(story.snapshotVersions, [10_001, 10_101, 10_201]);
  assert.equal(story.foldedAfterSchemaChange, 10_251);
  assert.equal(story.foldedAfterNewSnapshot, 0);
  assert.deepEqual(story.failureLogged, ["eventline: no snapshot of stream 'post-long' at version 10253: the disk is full"]);
  assert.equal(story.versionAfterFailure, 10_253);
  assert.match(story.lines.join('\n'), /Loading with it folds 0 events/);
}

test('the snapshot story on memory', async () => {
  checkStory(await main('memory:', () => {}));
});

test('the same story on a SQLite file', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-08-'));
  try {
    checkStory(await main(`sqlite:${join(folder, 'events.db')}`, () => {}));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
