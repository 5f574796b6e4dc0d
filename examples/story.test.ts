// An example run as a script, as its README says: on an empty store it tells its story;
// on a store that holds events, or one that cannot be opened, it says so in one line.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openEventStore } from '../src/index.js';

const runExample = (storeUrl: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'examples/01-basic-event-store/index.ts', storeUrl], { encoding: 'utf8' });

test('an example refuses a store that holds events already, in one line, and adds nothing to it', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-story-'));
  try {
    const storeUrl = `sqlite:${join(folder, 'story.db')}`;
    const first = runExample(storeUrl);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /post-1 still holds 2 events/);

    const again = runExample(storeUrl);
    assert.equal(again.status, 2);
    assert.equal(again.stdout, '');
    assert.equal(again.stderr, `01-basic-event-store: the story starts from an empty store, and ${storeUrl} holds events already; give it a new one\n`);
    const store = await openEventStore(storeUrl);
    assert.equal(await store.headPosition(), 3);
    await store.close();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('an example given a store URL it cannot open says so in one line', () => {
  const run = runExample('mysql://nowhere');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^01-basic-event-store: cannot open store 'mysql:\/\/nowhere': unknown kind of store.*\n$/);
});
