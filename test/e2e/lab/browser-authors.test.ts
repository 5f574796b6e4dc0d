// End-to-end: an author's life and erasure through the Lab's page in a real browser,
// against the real server on a SQLite file. An author is registered with the authors
// panel, writes a post (picked in the create form), and their export shows their name
// and email; forgotten after the confirm, the panel shows the placeholder in their row,
// the posts list shows "erased" as the post's author, and the export has nothing left.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildUiIfMissing, CHROMIUM, launchChromium, openPage } from './harness.js';
import { getJson, ROOT, startLab, type LabProcess } from './support.js';

const SHOTS = join(ROOT, 'test-results/lab');
const haveChromium = existsSync(CHROMIUM);
const NAME = 'Wren Canary-77c2';
const EMAIL = 'wren.canary-77c2@example.org';

if (!haveChromium && process.env.CI !== 'true') console.log(`# the Lab authors browser test is skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe('the Lab page, told one author forgotten', { skip: !haveChromium && `no Chromium at ${CHROMIUM}` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-authors-'));
  let lab: LabProcess;
  let browser: Browser;
  let page: Page;
  let authorId = '';
  let postId = '';
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const panel = () => page.locator('#authors');
  const row = () => panel().locator(`li[data-author-id="${authorId}"]`);
  const postAuthor = () => page.locator(`#posts tr[data-post-id="${postId}"] td.author`);

  before(async () => {
    buildUiIfMissing();
    mkdirSync(SHOTS, { recursive: true });
    lab = await startLab(`sqlite:${join(dir, 'lab.db')}`);
    browser = await launchChromium();
    page = await openPage(browser, { width: 1280, height: 900 }, { pageErrors, dialogs });
  });

  after(async () => {
    await browser?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an author registered with the panel shows in it, and the create form offers them', async () => {
    await page.goto(lab.url);
    await page.locator('#connection[data-state="live"]').waitFor();
    const form = panel().locator('form[data-command="register-author"]');
    await form.locator('input[name="name"]').fill(NAME);
    await form.locator('input[name="email"]').fill(EMAIL);
    await form.locator('button[type="submit"]').click();
    await form.locator('.outcome.ok').waitFor();

    const item = panel().locator('li[data-author-id]', { hasText: NAME });
    await item.waitFor();
    authorId = (await item.getAttribute('data-author-id'))!;
    assert.match(authorId, /^author-[0-9a-f-]{36}$/);
    assert.match(await item.innerText(), new RegExp(EMAIL.replace(/\./g, '\\.')));
    await page.locator(`form[data-command="create"] select[name="authorId"] option[value="${authorId}"]`, { hasText: NAME }).waitFor({ state: 'attached' });
  });

  test('a post created with them shows their name in the posts list', async () => {
    const create = page.locator('form[data-command="create"]');
    await create.locator('input[name="title"]').fill('Written by Wren');
    await create.locator('textarea[name="body"]').fill('Before the forget.');
    await create.locator('select[name="authorId"]').selectOption(authorId);
    await create.locator('button[type="submit"]').click();
    await create.locator('.outcome.ok').waitFor();
    postId = await page.locator('form[data-command="publish"] input[name="postId"]').inputValue();
    await page.locator(`#posts tr[data-post-id="${postId}"] td.author`, { hasText: NAME }).waitFor();
  });

  test('export shows what the store holds about them: their name and email', async () => {
    await row().locator('button[data-action="export"]').click();
    const shown = panel().locator(`.author-export pre[data-author-id="${authorId}"]`);
    await shown.waitFor();
    const text = await shown.innerText();
    assert.ok(text.includes(NAME) && text.includes(EMAIL), text);
    await shot('authors-01-export');
  });

  test('forgotten after the confirm: the placeholder in their row and as the post\'s author', async () => {
    await row().locator('button[data-action="forget"]').click();
    await row().locator('.badge.erased').waitFor();
    assert.equal(dialogs.length, 1, 'one confirm');
    assert.match(dialogs[0]!, /^Forget /);
    assert.equal(await row().getAttribute('data-erased'), 'true');
    assert.equal(await row().locator('button[data-action="forget"]').count(), 0, 'no forget for the forgotten');
    await panel().locator('.outcome.ok', { hasText: 'Forgotten' }).waitFor();
    await postAuthor().and(page.locator('.erased')).waitFor();
    assert.equal((await postAuthor().innerText()).trim(), 'erased');
    assert.equal(await page.locator(`form[data-command="create"] select[name="authorId"] option[value="${authorId}"]`).count(), 0, 'the create form no longer offers them');

    // Nowhere on the page any more: the panel, the posts, the export closed at the forget.
    const body = await page.locator('body').innerText();
    assert.ok(!body.includes(NAME) && !body.includes(EMAIL), 'no name or email left on the page');
    await row().locator('button[data-action="export"]').click();
    const shown = panel().locator(`.author-export pre[data-author-id="${authorId}"]`);
    await shown.waitFor();
    assert.match(await shown.innerText(), /"forgotten": "all"/);
    assert.ok(!(await shown.innerText()).includes(NAME));
    const api = await getJson<{ erased?: boolean }>(`${lab.url}/api/authors/${authorId}`);
    assert.deepEqual(api.body, { authorId, erased: true });
    await shot('authors-02-forgotten');
  });

  test('nothing on the page threw', () => {
    assert.deepEqual(pageErrors, []);
  });
});
