// Runs the example as its reader would, and checks the story it tells.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './index.js';

test('the projection story: each command changes one row of posts, and author_stats counts them', async () => {
  const story = await main('memory:', () => {});

  assert.deepEqual(story.steps.map((s) => s.event), ['PostWasCreated', 'PostWasPublished', 'PostWasCreated', 'PostWasEdited']);
  assert.deepEqual(
    story.steps.map((s) => s.posts.map((p) => `${p.post_id}:${p.status}:v${p.version}`)),
    [['hello:draft:v1'], ['hello:published:v2'], ['drafts:draft:v1', 'hello:published:v2'], ['drafts:draft:v2', 'hello:published:v2']],
  );
  assert.equal(story.steps[3]!.posts[0]!.title, 'On keeping drafts');
  assert.deepEqual(story.authorStats.map((r) => [r.author_id, Number(r.posts), Number(r.published_posts)]), [['ada', 2, 1]]);
  assert.match(story.lines.join('\n'), /PublishPost hello → PostWasPublished at position 2/);
});
