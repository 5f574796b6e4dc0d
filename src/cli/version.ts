// The version in Eventline's package.json. It is found by walking up from this file,
// which sits at src/cli/ when run with tsx and at dist/src/cli/ once built.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export async function packageVersion(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (true) {
    const manifest = await readManifest(join(dir, 'package.json'));
    if (manifest?.name === 'eventline' && typeof manifest.version === 'string') return manifest.version;
    const parent = dirname(dir);
    // Cannot happen in an installed package: its package.json ships beside dist/.
    if (parent === dir) throw new Error("cannot find Eventline's package.json");
    dir = parent;
  }
}

async function readManifest(path: string): Promise<{ name?: unknown; version?: unknown } | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
