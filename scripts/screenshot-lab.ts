// Makes docs/lab.png, the README's picture of the Lab: builds the page, starts the
// Lab on a fresh SQLite file, tells a few posts' stories through the API and shoots
// the page at 1280×800 with Debian's Chromium.
//
//   node --import tsx scripts/screenshot-lab.ts [out.png]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildUi, launchChromium } from '../test/e2e/lab/harness.js';
import { ROOT, startLab, type LabProcess } from '../test/e2e/lab/support.js';

const out = process.argv[2] ?? join(ROOT, 'docs/lab.png');

/** Readable ids, so the picture shows slugs rather than UUIDs. */
async function tellStories(lab: LabProcess): Promise<void> {
  const send = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${lab.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { authorId?: string };
  };
  const authors: Record<string, string> = {};
  for (const [key, name] of [['ada', 'Ada Lovelace'], ['grace', 'Grace Hopper'], ['linus', 'Linus Torvalds']]) {
    authors[key!] = (await send('POST', '/api/authors', { name, email: `${key}@example.org` })).authorId!;
  }
  const create = (postId: string, title: string, author: string) => send('POST', '/api/posts', { postId, title, body: `${title}: the body.`, authorId: authors[author] });
  const edit = (postId: string, title: string) => send('PUT', `/api/posts/${postId}`, { title });
  const publish = (postId: string) => send('POST', `/api/posts/${postId}/publish`, {});
  const unpublish = (postId: string) => send('POST', `/api/posts/${postId}/unpublish`, {});

  await create('hello-events', 'Hello, events', 'ada');
  await publish('hello-events');
  await create('cqrs', 'Commands and queries', 'grace');
  await create('projections', 'Projections, exactly once', 'linus');
  await edit('cqrs', 'Commands, queries and read models');
  await publish('cqrs');
  await publish('projections');
  await unpublish('cqrs');
  await edit('cqrs', 'CQRS: commands, queries and read models');
  await publish('cqrs');
  await create('snapshots', 'Snapshots in practice', 'ada');
}

const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-shot-'));
let lab: LabProcess | undefined;
try {
  buildUi();
  lab = await startLab(`sqlite:${join(dir, 'lab.db')}`);
  await tellStories(lab);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(lab.url);
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.locator('#posts tr[data-post-id="cqrs"]').click();
    // Six events: a snapshot was taken at the fifth, and the slider can go back.
    await page.locator('#post-detail .snapshot dl').waitFor();
    await page.locator('#post-detail input[name="version"]').fill('3');
    // As of version 3 the post had its first edited title, not today's.
    await page.locator('#post-detail .state', { hasText: '"title": "Commands, queries and read models"' }).waitFor();
    await page.locator('#timeline li.event summary').first().click();
    // Let the arrival highlights fade.
    await page.waitForTimeout(1600);
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
  }
} finally {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
}
