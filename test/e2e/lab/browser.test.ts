// End-to-end: the Lab's page in a real browser against the real server on a SQLite
// file. A post is created and published through the forms and shows up in the live
// timeline and the posts list; a second publish is refused beside its form; then the
// server is stopped and started again on the same port and file, and the page's live
// feed recovers by itself and shows an event written after the restart.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildUiIfMissing, CHROMIUM, launchChromium } from './harness.js';
import { authorAt, getJson, postJson, ROOT, startLab, type LabProcess } from './support.js';

const SHOTS = join(ROOT, 'test-results/lab');
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

if (!haveChromium && !inCi) console.log(`# the Lab browser test is skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

// In CI a missing browser must fail the run, not skip quietly.
test('Chromium is installed for the browser test', { skip: !inCi && 'not in CI' }, () => {
  assert.ok(haveChromium, `no Chromium at ${CHROMIUM}; .ci/run installs it with apt-get install chromium`);
});

describe('the Lab page, told one post and a restart', { skip: !haveChromium && `no Chromium at ${CHROMIUM}` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-browser-'));
  const store = `sqlite:${join(dir, 'lab.db')}`;
  let lab: LabProcess;
  let browser: Browser;
  let page: Page;
  let postId = '';
  let authorId = '';
  const pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const form = (command: string) => page.locator(`form[data-command="${command}"]`);
  const timelineEvent = (type: string, streamId: string) => page.locator(`#timeline li.event[data-type="${type}"]`, { hasText: streamId });
  const indicator = (state: string) => page.locator(`#connection[data-state="${state}"]`);

  before(async () => {
    buildUiIfMissing();
    mkdirSync(SHOTS, { recursive: true });
    lab = await startLab(store);
    authorId = await authorAt(lab.url);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the page opens with its live feed connected', async () => {
    await page.goto(lab.url);
    await indicator('live').waitFor();
    assert.equal(await page.title(), 'Eventline Lab');
  });

  test('a post created with the form appears in the timeline and in the list as a draft', async () => {
    const create = form('create');
    await create.locator('input[name="title"]').fill('Hello from the browser');
    await create.locator('textarea[name="body"]').fill('Written through the Lab.');
    await create.locator('select[name="authorId"]').selectOption(authorId);
    await create.locator('button[type="submit"]').click();
    await create.locator('.outcome.ok').waitFor();

    // The new post is selected, so the other forms now point at it.
    postId = await form('publish').locator('input[name="postId"]').inputValue();
    assert.notEqual(postId, '', 'the publish form points at the new post');
    await timelineEvent('PostWasCreated', `post-${postId}`).waitFor();
    await page.locator(`#posts tr[data-post-id="${postId}"][data-status="draft"]`).waitFor();
    await shot('01-created');
  });

  test('publishing it adds PostWasPublished to the timeline and the list shows it published', async () => {
    await form('publish').locator('button[type="submit"]').click();
    await form('publish').locator('.outcome.ok').waitFor();
    await timelineEvent('PostWasPublished', `post-${postId}`).waitFor();
    await page.locator(`#posts tr[data-post-id="${postId}"][data-status="published"]`).waitFor();
    await page.locator('#post-detail .stream-events li[data-version="2"]').waitFor();
    await shot('02-published');
  });

  test('publishing it again is refused, and the reason shows beside the publish form', async () => {
    await form('publish').locator('button[type="submit"]').click();
    const refusal = form('publish').locator('.outcome.error');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /Post is already published/);
    const stream = await getJson<{ version: number }>(`${lab.url}/api/streams/post-${postId}`);
    assert.equal(stream.body.version, 2, 'the refused command wrote no event');
    assert.equal(await page.locator('#timeline li.event').count(), 3, 'the author and the post\'s two');
    await shot('03-refused');
  });

  test('after the server restarts, the live feed reconnects and shows new events', async () => {
    const port = new URL(lab.url).port;
    const code = await lab.stop('SIGTERM');
    assert.equal(code, 0, `the Lab exits cleanly on SIGTERM; stderr:\n${lab.stderr()}`);
    await indicator('reconnecting').waitFor();
    await shot('04-reconnecting');

    lab = await startLab(store, { PORT: port });
    await indicator('live').waitFor({ timeout: 15_000 });

    const written = await postJson<{ postId: string }>(`${lab.url}/api/posts`, { title: 'Written after the restart', body: '…', authorId });
    assert.equal(written.status, 201, JSON.stringify(written.body));
    const { postId: newPostId } = written.body;
    await timelineEvent('PostWasCreated', `post-${newPostId}`).waitFor();
    // The events from before the restart are still there, each once.
    assert.equal(await page.locator('#timeline li.event').count(), 4);
    await page.locator(`#posts tr[data-post-id="${newPostId}"]`).waitFor();
    await shot('05-reconnected');
  });

  test('nothing on the page threw', () => {
    assert.deepEqual(pageErrors, []);
  });
});
