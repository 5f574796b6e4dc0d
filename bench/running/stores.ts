// Every store the bench knows: ours, Emmett's, and the raw-driver floors. Modules
// load by path when a child opens one, so a run of our stores never loads a peer.

import type { BenchStore, OpenStore, Scratch } from '../workloads/adapter.js';
import type { Kind, Place } from './scratch.js';

export type Family = 'ours' | 'emmett' | 'floor';

export interface Target extends Place {
  name: string;
  kind: Kind;
  family: Family;
  /** The durability it runs with, as the report names it. */
  durability: string;
  /** Relative to this file, and the name of its OpenStore export. */
  module: string;
  open: string;
  /** Part of a plain run, or only of --vs emmett. */
  vsOnly: boolean;
  /** Loads a package of bench/peers, which is installed on first use. */
  usesPeers: boolean;
  /** A floor made for some workloads only runs those (and no others). */
  workloads?: readonly string[];
}

const target = (t: Omit<Target, 'vsOnly' | 'usesPeers'> & { vsOnly?: boolean; usesPeers?: boolean }): Target => ({
  vsOnly: t.family !== 'ours',
  usesPeers: t.family === 'emmett',
  ...t,
});

export const TARGETS: readonly Target[] = [
  target({ name: 'memory', kind: 'memory', family: 'ours', durability: 'none', module: '../stores/eventline.ts', open: 'openMemory' }),
  target({ name: 'sqlite', kind: 'sqlite', family: 'ours', durability: 'WAL, synchronous=NORMAL', module: '../stores/eventline.ts', open: 'openSqlite' }),
  target({ name: 'sqlite-full', kind: 'sqlite', family: 'ours', durability: 'WAL, synchronous=FULL', module: '../stores/eventline.ts', open: 'openSqliteFull', vsOnly: true }),
  target({ name: 'postgres', kind: 'postgres', family: 'ours', durability: 'server default', module: '../stores/eventline.ts', open: 'openPostgres' }),
  target({ name: 'emmett-memory', kind: 'memory', family: 'emmett', durability: 'none', module: '../peers/emmett-memory.ts', open: 'open' }),
  target({ name: 'emmett-sqlite', kind: 'sqlite', family: 'emmett', durability: 'WAL, sqlite3 default synchronous', module: '../peers/emmett-sqlite.ts', open: 'open' }),
  // Emmett's schema has no name of its own and its migrations look for their functions
  // in every schema of the database, so it gets a database per measurement.
  target({ name: 'emmett-postgres', kind: 'postgres', family: 'emmett', durability: 'server default', module: '../peers/emmett-postgres.ts', open: 'open', ownDatabase: true }),
  target({ name: 'floor-better-sqlite3', kind: 'sqlite', family: 'floor', durability: 'WAL, synchronous=NORMAL', module: '../floors/better-sqlite3.ts', open: 'openNormal' }),
  target({ name: 'floor-better-sqlite3-full', kind: 'sqlite', family: 'floor', durability: 'WAL, synchronous=FULL', module: '../floors/better-sqlite3.ts', open: 'openFull' }),
  target({ name: 'floor-pg', kind: 'postgres', family: 'floor', durability: 'server default', module: '../floors/pg.ts', open: 'open' }),
  target({ name: 'floor-postgres', kind: 'postgres', family: 'floor', durability: 'server default', module: '../floors/postgres.ts', open: 'open', usesPeers: true }),
  // W4's floor that reads every column a recorded event carries, from a table of the same shape as ours.
  target({ name: 'floor-pg-same-columns', kind: 'postgres', family: 'floor', durability: 'server default', module: '../floors/pg.ts', open: 'openSameColumns', workloads: ['W4'] }),
  // P1's floors: the posts projection rebuilt by the raw driver from Eventline's events table.
  target({ name: 'floor-better-sqlite3-rebuild', kind: 'sqlite', family: 'floor', durability: 'WAL, synchronous=NORMAL', module: '../floors/rebuild.ts', open: 'openSqlite', workloads: ['P1'] }),
  target({ name: 'floor-pg-rebuild', kind: 'postgres', family: 'floor', durability: 'server default', module: '../floors/rebuild.ts', open: 'openPostgres', workloads: ['P1'] }),
  // C1's floor: a copy from SQLite into Eventline's PostgreSQL events table, by hand with better-sqlite3 and pg.
  target({ name: 'floor-pg-copy', kind: 'postgres', family: 'floor', durability: 'server default', module: '../floors/copy.ts', open: 'openPostgres', workloads: ['C1'] }),
];

export function findTarget(name: string): Target {
  const found = TARGETS.find((t) => t.name === name);
  if (!found) throw new Error(`unknown store ${JSON.stringify(name)}; known: ${TARGETS.map((t) => t.name).join(', ')}`);
  return found;
}

export async function openTarget(name: string, scratch: Scratch): Promise<BenchStore> {
  const { module, open } = findTarget(name);
  const loaded = (await import(new URL(module, import.meta.url).href)) as Record<string, OpenStore>;
  return loaded[open]!(scratch);
}
