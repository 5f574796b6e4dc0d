// The browser side of the Lab's tests: the page built if it is missing, and Debian's
// Chromium driven by playwright-core (a browser is never downloaded). The server
// itself is started with support.ts's startLab, as `npm start` runs it. Shared by the
// browser test and scripts/screenshot-lab.ts.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './support.js';

export const CHROMIUM = '/usr/bin/chromium';

export function buildUi(): void {
  const result = spawnSync(process.execPath, ['scripts/build-ui.js'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`scripts/build-ui.js failed:\n${result.stdout}${result.stderr}`);
}

export function buildUiIfMissing(): void {
  if (!existsSync(join(ROOT, 'dist/lab-ui/index.html'))) buildUi();
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A new page of `browser` that notes every error it throws in `pageErrors` and accepts
 * every dialog (a confirm), noting its message in `dialogs`, for the story to check.
 */
export async function openPage(browser: Browser, viewport: { width: number; height: number }, seen: { pageErrors: string[]; dialogs: string[] }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => seen.pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.accept();
  });
  return page;
}
