// End-to-end: the retention panel in a real browser, against the Lab listening on a
// SQLite file and judging retention a year and a bit ahead (the Lab's retentionNow, so
// today's draft is abandoned without waiting a year). The panel lists the blog's
// policies; a dry run shows the draft that would go and no consumer stranded, and
// writes nothing; a prune after the confirm removes it, and the run shows in the list.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { days } from '../../../src/index.js';
import { buildLab, openPrivateStore, type PrivateStore } from '../../../lab/server/index.js';
import { buildUiIfMissing, CHROMIUM, launchChromium, openPage } from './harness.js';
import { authorAt, getJson, postJson, ROOT, TEST_KEK } from './support.js';

const SHOTS = join(ROOT, 'test-results/lab');
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && process.env.CI !== 'true') console.log(`# the Lab retention browser test is skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe('the Lab page, told one abandoned draft pruned', { skip: !haveChromium && `no Chromium at ${CHROMIUM}` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-retention-'));
  const archiveDir = join(dir, 'archives');
  let opened: PrivateStore;
  let app: FastifyInstance;
  let url = '';
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const panel = () => page.locator('#retention');
  const eventCount = async () => (await getJson<{ headPosition: number }>(`${url}/api/health`)).body.headPosition;

  before(async () => {
    buildUiIfMissing();
    mkdirSync(SHOTS, { recursive: true });
    opened = await openPrivateStore(`sqlite:${join(dir, 'lab.db')}`, { EVENTLINE_KEK: TEST_KEK });
    app = await buildLab({ store: opened.store, privacy: opened.privacy, logger: false, pollIntervalMs: 50, archiveDir, retentionNow: () => new Date(Date.now() + days(400)) });
    url = await app.listen({ host: '127.0.0.1', port: 0 });

    const authorId = await authorAt(url);
    for (const postId of ['kept', 'forgotten-draft']) {
      assert.equal((await postJson(`${url}/api/posts`, { postId, title: postId, body: 'words', authorId })).status, 201);
    }
    assert.equal((await postJson(`${url}/api/posts/kept/publish`, {})).status, 200);

    browser = await launchChromium();
    page = await openPage(browser, { width: 1400, height: 1000 }, { pageErrors, dialogs });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the panel lists the blog's policies and says no prune has run yet", async () => {
    await page.goto(url);
    await panel().locator('li[data-policy="abandoned drafts"]').waitFor();
    assert.match(await panel().locator('li[data-policy="long-lived posts"]').innerText(), /keeps the newest 50/);
    assert.match(await panel().innerText(), new RegExp(`archives in ${archiveDir}`));
    await panel().locator('.empty', { hasText: 'No prune has run yet.' }).waitFor();
  });

  test('a dry run shows the draft that would go and no consumer stranded, and writes nothing', async () => {
    const before = await eventCount();
    await panel().locator('button[data-action="dry-run"]').click();
    const row = panel().locator('.plan-streams tr[data-stream-id="post-forgotten-draft"]');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-action'), 'remove');
    assert.match(await row.innerText(), /abandoned drafts[\s\S]*removed whole/);
    assert.equal(await panel().locator('.plan-streams tr[data-stream-id="post-kept"]').count(), 0, 'the published post stays');
    await panel().locator('.stranded-none').waitFor();
    assert.equal(await eventCount(), before, 'nothing written');
    assert.equal(existsSync(archiveDir), false, 'no archive written');
    await shot('retention-01-dry-run');
  });

  test('a prune after the confirm removes the draft and the run shows in the list', async () => {
    await panel().locator('button[data-action="prune"]').click();
    await panel().locator('.outcome.ok', { hasText: /^Run / }).waitFor();
    assert.equal(dialogs.length, 1, 'one confirm');
    assert.match(dialogs[0]!, /^Prune for good\?/);

    const run = panel().locator('.retention-runs li[data-type="RetentionRun"]');
    await run.waitFor();
    const text = await run.innerText();
    assert.match(text, /abandoned drafts · 1 stream\(s\) · 1 event\(s\)/);
    assert.match(text, /archive archive-.+\.jsonl\.gz/);
    assert.match(text, / → /);
    assert.equal((await getJson(`${url}/api/streams/post-forgotten-draft`)).status, 404, 'the draft is gone');
    assert.equal((await getJson(`${url}/api/streams/post-kept`)).status, 200, 'the published post stays');
    await shot('retention-02-pruned');
  });

  test('nothing on the page threw', () => {
    assert.deepEqual(pageErrors, []);
  });
});
