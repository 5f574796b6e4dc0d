// Runs the example as its reader would, on memory and on a SQLite file, and checks
// the story it tells: published at its time, returned to draft, reminded once.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main, type Story } from './index.js';

function checkStory(story: Story): void {
  assert.deepEqual([story.beforeTime, story.afterTime], ['scheduled', 'published']);
  assert.deepEqual(story.posts, { hello: 'published', rough: 'draft', quiet: 'published' });
  assert.deepEqual(story.instances, { hello: 'completed', rough: 'compensated', quiet: 'completed' });
  assert.deepEqual(
    story.messages.map((m) => [m.streamId, m.subject]),
    [
      ['workflow-review-hello', 'blog.posts.published'],
      ['workflow-review-quiet', 'blog.reviews.reminders'],
      ['workflow-review-quiet', 'blog.posts.published'],
    ],
  );
  assert.deepEqual(story.messages[0]!.payload, { postId: 'hello', title: 'Hello, Eventline', authorId: 'ada', publishedAt: '2026-05-01T12:00:00.000Z' });
  assert.deepEqual(story.messages[1]!.payload, { postId: 'quiet', submittedAt: '2026-05-01T09:00:00.000Z' });
  const text = story.lines.join('\n');
  assert.match(text, /PostReturnedToDraft \{"postId":"rough","reason":"Needs a source for the figures."\}/);
  assert.match(text, /WorkflowCommandSent ReturnPostToDraft \(compensating\)/);
}

test('the review story on memory', async () => {
  checkStory(await main('memory:', () => {}));
});

test('the same story on a SQLite file', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-07-'));
  try {
    checkStory(await main(`sqlite:${join(folder, 'events.db')}`, () => {}));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
