// What the figures were measured on: the machine, Node, and each database's
// version and durability settings, read back from the databases themselves.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openEventStore } from '../../src/index.js';
import { installedVersion } from './install-peers.js';
import { postgresBaseUrl } from './scratch.js';
import type { Target } from './stores.js';

export async function describeMachine(targets: readonly Target[]): Promise<string[]> {
  const has = (test: (t: Target) => boolean) => targets.some(test);
  const lines = [
    `- Machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Linux ${release()}`,
    `- Node ${process.version}`,
    `- Eventline: ${describeSource()}`,
  ];
  if (has((t) => t.kind === 'sqlite')) lines.push(await describeSqlite(targets));
  if (has((t) => t.name === 'emmett-sqlite')) lines.push(await describeEmmettSqlite());
  if (has((t) => t.kind === 'postgres')) lines.push(await describePostgres(has((t) => t.family !== 'ours')));
  if (has((t) => t.family === 'emmett')) {
    const v = (name: string) => `${name} ${installedVersion(name, true)}`;
    lines.push(`- Emmett: ${['@event-driven-io/emmett', '@event-driven-io/emmett-sqlite', '@event-driven-io/emmett-postgresql'].map(v).join(', ')}`);
  }
  return lines;
}

/** The commit measured, and whether src/ differs from it. */
function describeSource(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown commit';
  return git('status', '--porcelain', '--', 'src') ? `commit ${commit} with uncommitted changes in src/` : `commit ${commit}`;
}

async function describeSqlite(targets: readonly Target[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-bench-machine-'));
  try {
    // The journal mode is a property of the file, so it can be read back from ours.
    const path = join(dir, 'store.db');
    await (await openEventStore(`sqlite:${path}`)).close();
    const db = new Database(path, { readonly: true });
    const version = db.prepare('SELECT sqlite_version()').pluck().get() as string;
    const journal = db.pragma('journal_mode', { simple: true }) as string;
    db.close();
    const durability = targets
      .filter((t) => t.kind === 'sqlite' && t.family !== 'emmett')
      .map((t) => `${t.name}: ${t.durability}`)
      .join('; ');
    return `- SQLite ${version} (better-sqlite3 ${installedVersion('better-sqlite3', false)}), journal_mode=${journal} in ours; ${durability}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function describeEmmettSqlite(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-bench-machine-'));
  try {
    const { describeDriver } = (await import(new URL('../peers/emmett-sqlite.ts', import.meta.url).href)) as {
      describeDriver: (path: string) => Promise<string>;
    };
    return `- emmett-sqlite: ${await describeDriver(join(dir, 'store.db'))}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function describePostgres(withPeers: boolean): Promise<string> {
  const client = new pg.Client({ connectionString: postgresBaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(
      `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync,
              current_setting('fsync') AS fsync, current_setting('shared_buffers') AS buffers`,
    );
    const row = rows[0]!;
    const drivers = [`pg ${installedVersion('pg', false)}`, ...(withPeers ? [`postgres ${installedVersion('postgres', true)}`] : [])];
    return `- PostgreSQL ${row.version} on 127.0.0.1: synchronous_commit=${row.sync}, fsync=${row.fsync}, shared_buffers=${row.buffers} (drivers: ${drivers.join(', ')})`;
  } finally {
    await client.end();
  }
}
