// Runs the demo (`npm run demo`) on a fresh SQLite file, twice: the story it tells, and that
// a second run on the same file tells it again with fresh posts.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main, type DemoResult } from './demo.js';

async function onTempSqlite(story: (storeUrl: string) => Promise<void>): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-demo-'));
  try {
    await story(`sqlite:${join(folder, 'demo.db')}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function checkStory(result: DemoResult): void {
  assert.deepEqual(
    result.events.map((e) => e.type),
    ['PostWasCreated', 'PostWasCreated', 'PostWasEdited', 'PostWasPublished', 'PostWasPublished', 'PostWasUnpublished'],
  );
  assert.deepEqual(result.refusals, ['Post is already published']);
  assert.deepEqual(
    result.posts.map(({ title, author, status, version }) => ({ title, author, status, version })),
    [
      { title: 'Hello again, Eventline', author: 'ada', status: 'published', version: 3 },
      { title: 'Notes on streams', author: 'grace', status: 'draft', version: 3 },
    ],
  );
}

test('the demo tells the blog story on SQLite, and can be run again on the same file', () =>
  onTempSqlite(async (storeUrl) => {
    const first = await main(storeUrl, () => {});
    checkStory(first);

    const second = await main(storeUrl, () => {});
    checkStory(second);

    assert.notDeepEqual(second.posts.map((p) => p.id), first.posts.map((p) => p.id));
    assert.ok(second.events[0]!.position > first.events.at(-1)!.position);
  }));

test('the demo prints the story, the events and the posts as aligned tables', () =>
  onTempSqlite(async (storeUrl) => {
    const { lines, events, posts } = await main(storeUrl, () => {});
    const output = lines.join('\n');

    assert.equal(lines[0], `Eventline demo on ${storeUrl}`);
    assert.match(output, /ada +publishes again +hello-\w+ +refused: Post is already published/);
    for (const e of events) {
      assert.match(output, new RegExp(`${e.streamId} +${e.version} +${e.position} +${e.type} +\\{"postId"`));
    }
    for (const p of posts) {
      assert.match(output, new RegExp(`${p.id} +${p.title} +${p.author} +${p.status} +${p.version}$`, 'm'));
    }
    // Every table's header lines up with its rows: each column starts at the same place.
    const header = lines.find((l) => l.includes('STREAM'))!;
    const versionEnd = header.indexOf('VERSION') + 'VERSION'.length;
    for (const line of lines.filter((l) => l.includes('PostWas') && l.startsWith('  post-'))) {
      assert.match(line.slice(0, versionEnd), /\d$/);
    }
  }));
