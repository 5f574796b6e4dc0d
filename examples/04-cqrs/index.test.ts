// Runs the example as its reader would, and checks the story it tells.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './index.js';

test('the CQRS story: commands on the write side, answers from the read side, read-your-writes', async () => {
  const story = await main('memory:', () => {});

  assert.equal(story.afterUnpublish?.status, 'draft', 'the caller that waited sees its own unpublish');
  assert.deepEqual(story.pages.map((page) => page.map((p) => p.postId)), [['events'], ['cqrs']]);
  assert.deepEqual(story.adasPosts.map((p) => p.postId).sort(), ['cqrs', 'drafts', 'hello']);
  assert.deepEqual(story.searched.map((p) => p.postId).sort(), ['events', 'hello']);
  assert.deepEqual(story.adaStats, { authorId: 'ada', posts: 3, publishedPosts: 1 });
  assert.match(story.lines.join('\n'), /published, page 1 +→ events {2}\(next cursor [A-Za-z0-9_-]+\)/);
});
