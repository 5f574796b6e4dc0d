// Runs the example as its reader would, on a SQLite file, and checks each step of the
// story: the export, the receipt, the posts that remain, the name erased in the read model
// and the stream, the other author untouched, and a scan of the files that finds Ada's
// data before the forget (so the scan works) and nowhere after it.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isErased } from '../../src/index.js';
import { ERASED_NAME } from '../blog/index.js';
import { ADA, main, scan, type Story } from './index.js';

let story: Story;
let folder: string;

test.before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'eventline-10-test-'));
  story = await main(folder, () => {});
});

test.after(() => rm(folder, { recursive: true, force: true }));

test('the export lists every personal field of Ada, in the clear, before the forget', () => {
  const fields = story.exportBefore.fields.map(({ type, path, category, value }) => ({ type, path, category, value }));
  assert.deepEqual(fields, [
    { type: 'AuthorRegistered', path: 'name', category: 'profile', value: ADA.name },
    { type: 'AuthorRegistered', path: 'email', category: 'contact', value: ADA.email },
    { type: 'AuthorProfileChanged', path: 'email', category: 'contact', value: ADA.newEmail },
  ]);
  assert.deepEqual(story.exportBefore.forgotten, []);
});

test('the read model holds Ada in the clear before the forget, and the scan finds her', () => {
  assert.equal(story.adaBefore?.name, ADA.name);
  assert.equal(story.adaBefore?.email, ADA.newEmail);
  assert.equal(story.tableRowsBefore, 1);
  assert.ok(story.scanBefore.reduce((sum, { places }) => sum + places, 0) > 0, JSON.stringify(story.scanBefore));
});

test('the forget answers with a receipt that verifies and names no one', () => {
  assert.equal(story.receipt.categories, null);
  assert.equal(story.receipt.keyIds.length, 2, 'one key for profile, one for contact');
  assert.ok(story.receiptVerifies);
  assert.ok(!JSON.stringify(story.receipt).includes(story.adaId));
  assert.equal(story.exportAfter.forgotten, 'all');
  // The subject index (where her fields were) is deleted with her keys: nothing is left to list.
  assert.deepEqual(story.exportAfter.fields, []);
});

test("Ada's posts remain, her name reads as erased in the read model and in her stream", () => {
  assert.deepEqual(story.adasPostsAfter.map((post) => post.postId).sort(), ['engines', 'loops']);
  assert.deepEqual(story.adaAfter, { authorId: story.adaId, name: ERASED_NAME, email: null, forgotten: true });
  assert.ok(story.streamErased);
  assert.deepEqual(story.snapshotPost, { authorId: story.adaId, eventsApplied: 0 });
  assert.match(story.lines.join('\n'), /"Notes on the Analytical Engine" by \[erased\] \(published\)/);
});

test('Grace is untouched', () => {
  assert.deepEqual(story.graceAfter, { authorId: story.graceId, name: 'Grace Hopper', email: 'grace@example.org', forgotten: false });
  assert.equal(story.graceStreamName, 'Grace Hopper');
  assert.ok(!isErased(story.graceStreamName));
});

test("no SQLite file holds Ada's name or emails after the forget, in UTF-8 or UTF-16", async () => {
  const files = story.scanAfter.map(({ file }) => file);
  assert.ok(files.includes('blog.db') && files.includes('keys.db'), files.join(', '));
  for (const { file, places } of story.scanAfter) assert.equal(places, 0, `${file} holds Ada's data in ${places} places`);
  // And the folder as the test finds it now, -wal and -shm files included if any are left.
  for (const { file, places } of await scan(folder)) assert.equal(places, 0, file);
  assert.match(story.lines.join('\n'), /blog\.db +0 places/);
});
