// Runs the example as its reader would, and checks the story it tells.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './index.js';

test('the querying story: six questions of the events, one of a read model, and the blog as it was midway', async () => {
  const story = await main('memory:', () => {});
  const answers = Object.fromEntries(story.eventQueries.map(({ question, events }) => [question, events.map((e) => e.position)]));

  assert.deepEqual(answers, {
    'the stream post-hello': [1, 2, 6],
    'every PostWasPublished': [2, 7],
    'the category post, PostWasCreated only': [1, 3, 4, 5],
    'positions after 2 and before 5': [3, 4],
    'recorded after the midway time': [4, 5, 6, 7],
    'of correlation import-42': [4, 5],
  });
  assert.deepEqual(story.published.map((p) => p.postId).sort(), ['events', 'hello']);
  assert.equal(story.midway.position, 3);
  assert.deepEqual(story.helloThen, { status: 'published', postId: 'hello', title: 'Hello, Eventline', body: '…', authorId: 'ada' });
  assert.deepEqual(story.postsAtMidwayPosition.rows.map((r) => [r.post_id, r.status]), [['events', 'draft'], ['hello', 'published']]);
  assert.deepEqual(story.postsAtMidwayTime.rows, story.postsAtMidwayPosition.rows);
  assert.deepEqual(story.changedSinceMidway.added.map((r) => r.post_id), ['imported-1', 'imported-2']);
  assert.deepEqual(story.changedSinceMidway.changed.map((c) => [c.key.post_id, c.columns]), [
    ['events', ['status', 'published_at', 'version']],
    ['hello', ['title', 'title_lower', 'version']],
  ]);
  assert.deepEqual(story.changedSinceMidway.removed, []);
});
