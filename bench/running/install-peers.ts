// The peers (Emmett, porsager's postgres, sqlite3) are a package of their own in
// bench/peers, installed on first use so the project's own install stays clean.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = fileURLToPath(new URL('../peers/', import.meta.url));
const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Whether a finished install of the peers is there. */
export function peersInstalled(): boolean {
  // npm writes this file last, so an interrupted install is not taken for a finished one.
  return existsSync(join(PEERS_DIR, 'node_modules', '.package-lock.json'));
}

export function ensurePeers(): void {
  if (peersInstalled()) return;
  console.error('Installing the peers in bench/peers (npm ci; sqlite3 compiles from source, which takes a few minutes)...');
  // --legacy-peer-deps: Emmett's SQLite package names an unpublished core version as its peer.
  const result = spawnSync('npm', ['ci', '--legacy-peer-deps', '--no-audit', '--no-fund'], { cwd: PEERS_DIR, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error(`npm ci in bench/peers failed (${result.error?.message ?? `exit ${result.status}`})`);
}

/** The installed version of a package, from the project's or the peers' node_modules. */
export function installedVersion(name: string, peer: boolean): string {
  try {
    const path = join(peer ? PEERS_DIR : PROJECT_DIR, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
