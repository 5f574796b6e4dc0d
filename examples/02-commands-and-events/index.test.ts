// Runs the example as its reader would, and checks the story it tells.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './index.js';

test('the commands-and-events story: two commands accepted, two refused, two events stored', async () => {
  const story = await main('memory:', () => {});

  assert.deepEqual(
    story.outcomes.map((o) => o.refused?.message ?? o.events.map((e) => e.type).join()),
    ['PostWasCreated', 'PostWasPublished', 'Post is already published', 'Post does not exist'],
  );
  assert.deepEqual(story.stream.map((e) => [e.type, e.version]), [
    ['PostWasCreated', 1],
    ['PostWasPublished', 2],
  ]);
  assert.equal(story.eventsInStore, 2);
  assert.match(story.lines.join('\n'), /PublishPost hello +→ refused: Post is already published/);
});
