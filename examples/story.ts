// Every example tells its story a line at a time: printed as it goes, and kept, so that
// the example's test can read what it said.

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EventlineError, openEventStore } from '../src/index.js';

export function storyteller(print: (line: string) => void): { lines: string[]; say: (line?: string) => void } {
  const lines: string[] = [];
  const say = (line = '') => {
    lines.push(line);
    print(line);
  };
  return { lines, say };
}

/**
 * Tells an example's story when its file is the script Node runs, on the store URL of the
 * first argument (default `memory:`). Every story starts from an empty store, so a store
 * that holds events already is refused in one line, as is a URL that cannot be opened.
 */
export async function tellWhenRun(moduleUrl: string, main: (storeUrl: string) => Promise<unknown>): Promise<void> {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  // Piped into `head`, the story ends when the reader has seen enough.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  const example = basename(dirname(fileURLToPath(moduleUrl)));
  const storeUrl = process.argv[2] ?? 'memory:';
  try {
    const store = await openEventStore(storeUrl);
    const head = await store.headPosition();
    await store.close();
    if (head > 0) {
      console.error(`${example}: the story starts from an empty store, and ${storeUrl} holds events already; give it a new one`);
      process.exitCode = 2;
      return;
    }
    await main(storeUrl);
  } catch (error) {
    if (!(error instanceof EventlineError)) throw error;
    console.error(`${example}: ${error.message}`);
    process.exitCode = 2;
  }
}

/**
 * Tells the story of an example that takes a folder rather than a store URL (it opens
 * SQLite files of its own there), when its file is the script Node runs: the first
 * argument, or a new temporary folder when there is none. A store URL, or a folder that
 * holds `blog.db` already, is refused in one line; `why` says what the folder is for.
 */
export async function tellInFolderWhenRun(moduleUrl: string, why: string, main: (folder?: string) => Promise<unknown>): Promise<void> {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  const example = basename(dirname(fileURLToPath(moduleUrl)));
  const folder = process.argv[2];
  if (folder !== undefined && /^[a-z]+:/i.test(folder)) {
    console.error(`${example}: give a folder (${why}), not a store URL`);
    process.exitCode = 2;
  } else if (folder !== undefined && existsSync(join(folder, 'blog.db'))) {
    console.error(`${example}: the story starts from an empty store, and ${folder} holds blog.db already; give it a new folder`);
    process.exitCode = 2;
  } else {
    await main(folder);
  }
}
