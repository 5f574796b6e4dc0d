// End-to-end: a post's review through the Lab's page in a real browser, against the
// real server on a SQLite file. A draft is submitted for review, the review workflow
// starts it (its instance appears with a reminder timer), an editor approves it for a
// time a few seconds ahead (the post is scheduled, a publish timer appears), and when
// the time comes the workflow publishes it: the post shows published, the timer fired,
// the instance completed. A second approval is refused beside its form.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildUiIfMissing, CHROMIUM, launchChromium } from './harness.js';
import { authorAt, getJson, ROOT, startLab, type LabProcess } from './support.js';

const SHOTS = join(ROOT, 'test-results/lab');
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && process.env.CI !== 'true') console.log(`# the Lab review browser test is skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe('the Lab page, told one review', { skip: !haveChromium && `no Chromium at ${CHROMIUM}` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-review-'));
  let lab: LabProcess;
  let browser: Browser;
  let page: Page;
  let postId = '';
  let authorId = '';
  const pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const form = (command: string) => page.locator(`form[data-command="${command}"]`);
  const postRow = (status: string) => page.locator(`#posts tr[data-post-id="${postId}"][data-status="${status}"]`);
  const instance = () => page.locator('#workflows .workflow-detail');

  before(async () => {
    buildUiIfMissing();
    mkdirSync(SHOTS, { recursive: true });
    lab = await startLab(`sqlite:${join(dir, 'lab.db')}`);
    authorId = await authorAt(lab.url);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a draft submitted for review shows in review, and its review instance starts with a reminder', async () => {
    await page.goto(lab.url);
    await page.locator('#connection[data-state="live"]').waitFor();
    const create = form('create');
    await create.locator('input[name="title"]').fill('Reviewed in the browser');
    await create.locator('textarea[name="body"]').fill('Written, reviewed, published.');
    await create.locator('select[name="authorId"]').selectOption(authorId);
    await create.locator('button[type="submit"]').click();
    await create.locator('.outcome.ok').waitFor();
    postId = await form('submit').locator('input[name="postId"]').inputValue();
    assert.notEqual(postId, '', 'the submit form points at the new post');
    await postRow('draft').waitFor();

    await form('submit').locator('button[type="submit"]').click();
    await form('submit').locator('.outcome.ok').waitFor();
    await postRow('in_review').waitFor();
    await page.locator(`#workflows li[data-stream-id="workflow-review-${postId}"][data-status="running"]`).waitFor();
    await instance().locator('.timers li[data-timer="reminder"][data-state="scheduled"]').waitFor();
    await instance().locator('.steps li[data-type="PostSubmittedForReview"]').waitFor();
    await shot('review-01-submitted');
  });

  test('approved for a few seconds ahead, the post is scheduled, then published by the workflow when the time comes', async () => {
    // The browser's own local time, as a datetime-local field takes it, 3 s ahead.
    const publishAt = await page.evaluate(() => new Date(Date.now() + 3000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 19));
    const approve = form('approve');
    await approve.locator('input[name="publishAt"]').fill(publishAt);
    await approve.locator('button[type="submit"]').click();
    await approve.locator('.outcome.ok').waitFor();
    assert.match(await approve.locator('.outcome.ok').innerText(), /PostApproved/);
    await postRow('scheduled').waitFor();
    await instance().locator('.timers li[data-timer="publish"][data-state="scheduled"]').waitFor();
    await instance().locator('.timers li[data-timer="reminder"][data-state="cancelled"]').waitFor();
    await shot('review-02-scheduled');

    await postRow('published').waitFor({ timeout: 15_000 });
    await page.locator(`#timeline li.event[data-type="PostWasPublished"]`, { hasText: `post-${postId}` }).waitFor();
    await page.locator(`#workflows .workflow-detail[data-status="completed"]`).waitFor();
    await instance().locator('.timers li[data-timer="publish"][data-state="fired"]').waitFor();
    await instance().locator('.steps li[data-type="OutboxMessage"]').waitFor();
    const post = await getJson<{ status: string; publishedAt: string }>(`${lab.url}/api/posts/${postId}`);
    assert.equal(post.body.status, 'published');
    await shot('review-03-published');
  });

  test('approving it again is refused beside the form, and writes nothing', async () => {
    const before = await getJson<{ version: number }>(`${lab.url}/api/streams/post-${postId}`);
    await form('approve').locator('button[type="submit"]').click();
    const refusal = form('approve').locator('.outcome.error');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /Post is not in review/);
    const after = await getJson<{ version: number }>(`${lab.url}/api/streams/post-${postId}`);
    assert.equal(after.body.version, before.body.version);
  });

  test('nothing on the page threw', () => {
    assert.deepEqual(pageErrors, []);
  });
});
