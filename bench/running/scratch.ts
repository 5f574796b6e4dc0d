// A fresh place for each measurement: a SQLite file in a temporary folder, or a
// PostgreSQL schema, removed afterwards so no run sees another's data.

import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Scratch } from '../workloads/adapter.js';

export type Kind = 'memory' | 'sqlite' | 'postgres';

/** Where a store of a kind keeps its data: what scratch.ts makes and removes. */
export interface Place {
  kind: Kind;
  /** A PostgreSQL store that needs a database of its own rather than a schema. */
  ownDatabase?: boolean;
}

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function postgresBaseUrl(): string {
  return process.env.EVENTLINE_POSTGRES_URL || DEFAULT_POSTGRES_URL;
}

/** `name` must be a plain identifier: lower-case letters, digits and underscores. */
export function makeScratch(name: string): Scratch {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`scratch name ${JSON.stringify(name)} is not a plain identifier`);
  const postgresUrl = postgresBaseUrl();
  const own = new URL(postgresUrl);
  own.pathname = `/${name}`;
  return { name, sqlitePath: join(tmpdir(), 'eventline-bench', name, 'store.db'), postgresUrl, postgresDatabaseUrl: own.toString() };
}

export async function prepareScratch(scratch: Scratch, place: Place): Promise<void> {
  if (place.kind === 'sqlite') mkdirSync(dirname(scratch.sqlitePath), { recursive: true });
  if (place.kind !== 'postgres') return;
  if (place.ownDatabase) await admin(scratch, `CREATE DATABASE "${scratch.name}"`);
  else await admin(scratch, `CREATE SCHEMA IF NOT EXISTS "${scratch.name}"`);
}

export async function disposeScratch(scratch: Scratch, place: Place): Promise<void> {
  if (place.kind === 'sqlite') rmSync(dirname(scratch.sqlitePath), { recursive: true, force: true });
  if (place.kind !== 'postgres') return;
  if (place.ownDatabase) await admin(scratch, `DROP DATABASE IF EXISTS "${scratch.name}" WITH (FORCE)`);
  else await admin(scratch, `DROP SCHEMA IF EXISTS "${scratch.name}" CASCADE`);
  // E1's key storage, beside the store's schema.
  if (!place.ownDatabase) await admin(scratch, `DROP SCHEMA IF EXISTS "${scratch.name}_keys" CASCADE`);
}

/**
 * After a bulk load and before a timed read of it, leaves the data as any later reader
 * would find it, whichever store wrote it and however it was written. PostgreSQL: the
 * tables vacuumed and analyzed, so the planner sees fresh statistics and no autovacuum
 * of the load starts during the timing. SQLite: the WAL copied into the file and emptied.
 */
export async function settleScratch(scratch: Scratch, place: Place): Promise<void> {
  if (place.kind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(scratch.sqlitePath);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  }
  if (place.kind !== 'postgres') return;
  // A database of its own is the store's alone: all of it. Otherwise the tables of its schema.
  if (place.ownDatabase) return withClient(scratch.postgresDatabaseUrl, (client) => client.query('VACUUM (ANALYZE)'));
  await withClient(scratch.postgresUrl, async (client) => {
    const { rows } = await client.query<{ name: string }>(`SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = $1`, [scratch.name]);
    if (rows.length > 0) await client.query(`VACUUM (ANALYZE) ${rows.map((r) => r.name).join(', ')}`);
  });
}

function admin(scratch: Scratch, sql: string): Promise<void> {
  return withClient(scratch.postgresUrl, (client) => client.query(sql));
}

async function withClient(url: string, work: (client: import('pg').Client) => Promise<unknown>): Promise<void> {
  // Loaded here, so a child measuring memory or SQLite never loads pg.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
