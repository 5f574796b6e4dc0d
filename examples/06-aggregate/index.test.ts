// Runs the example as its reader would, and checks the story it tells.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './index.js';

test('the aggregate story: two styles, the same events, the same refusals, one stale save refused', async () => {
  const story = await main('memory:', () => {});

  assert.deepEqual(story.deciderStream.map((e) => [e.type, e.version]), [
    ['PostWasCreated', 1],
    ['PostWasPublished', 2],
  ]);
  assert.deepEqual(story.classStream.map((e) => [e.type, e.version]), [
    ['PostWasCreated', 1],
    ['PostWasPublished', 2],
    ['PostWasEdited', 3],
    ['PostWasEdited', 4],
  ]);
  assert.deepEqual(story.refusals, ['Post is already published', 'Post is already published']);
  assert.deepEqual(story.conflict, { expected: 2, actual: 3 });
  // The retried edit kept the first editor's title.
  assert.deepEqual(story.classStream[3]!.data, { postId: 'second', title: 'A second post, edited', body: 'Corrected.' });
  assert.match(story.lines.join('\n'), /bo saves a stale copy → refused: stream 'post-second' expected version 2 but is at 3/);
});
