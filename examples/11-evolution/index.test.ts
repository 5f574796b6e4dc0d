// Runs the example as its reader would, in a new folder, and checks the story it tells:
// v1 stored and read as v3, a new post stored at v3, one shape in a read model, and a
// copy where every event is stored at v3. Then the example's own contracts are checked
// as `npm test` checks them: `eventline contracts check` on its approved fixtures.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { main, type Story } from './index.js';

const v3Hello = { postId: 'hello', title: 'Hello', body: 'The first post.', tags: [], author: { id: 'ada', stream: 'author-ada' } };
let story: Story;
let folder: string;

test.before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'eventline-11-test-'));
  story = await main(folder, () => {});
});

test.after(() => rm(folder, { recursive: true, force: true }));

test('the old release stored v1; the new release reads it as v3 and stores its own posts at v3', () => {
  assert.deepEqual(story.storedHello, { postId: 'hello', title: 'Hello', body: 'The first post.', authorId: 'ada' });
  assert.deepEqual(story.readHello, v3Hello);
  assert.equal(story.newPostVersion, 3);
  assert.deepEqual(story.listed, [
    { postId: 'hello', authorStream: 'author-ada', tags: [] },
    { postId: 'second', authorStream: 'author-bo', tags: [] },
    { postId: 'third', authorStream: 'author-ada', tags: ['howto'] },
  ]);
  assert.deepEqual(story.versionsBefore, { v1: 2, v3: 1 });
});

test('the copy stores every event at v3', () => {
  assert.deepEqual(story.versionsInCopy, { v3: 3 });
  assert.deepEqual(story.copiedHello, v3Hello);
});

test('the example\'s approved contracts hold: eventline contracts check', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const here = 'examples/11-evolution';
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'contracts', 'check', '--schemas', `${here}/schemas.ts`, '--dir', `${here}/contracts`], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.equal(result.stdout, 'contracts hold: 1 types, 3 fixtures\n');
});
