// The SQLite schema, as numbered migrations applied on open. `eventline_schema`
// records how far a file has been migrated, so a newer Eventline can upgrade it.
//
// Each step is frozen: it runs the SQL it ran when it was written, one file a step in
// migrations/, so a file at version k is the same whichever Eventline brought it there.
// A change to the schema is a new step.

import type { Database } from 'better-sqlite3';
import { createEvents } from './migrations/001-events.js';
import { createSnapshots } from './migrations/002-snapshots.js';
import { streamIdsOnly } from './migrations/003-stream-ids-only.js';
import { positionsUsed } from './migrations/004-positions-used.js';
import { idsNamedByPosition } from './migrations/005-ids-named-by-position.js';
import { namedAhead } from './migrations/006-named-ahead.js';
import { prunedEvents } from './migrations/007-pruned-events.js';
import { storeEpoch } from './migrations/008-epoch.js';

/** The steps in order: a file's schema version is how many of them it has run. */
export const MIGRATIONS: readonly string[] = [
  createEvents,
  createSnapshots,
  streamIdsOnly,
  positionsUsed,
  idsNamedByPosition,
  namedAhead,
  prunedEvents,
  storeEpoch,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Whether the file holds an Eventline store, of any schema version. */
export function hasSchema(db: Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'eventline_schema'`).get() !== undefined;
}

/**
 * Brings the file to the current schema; runs under the write lock so processes take turns.
 * `to` stops after that many steps: the upgrade tests build the files of older versions
 * with it.
 */
export function migrate(db: Database, { to = SCHEMA_VERSION }: { to?: number } = {}): void {
  if (!Number.isInteger(to) || to < 1 || to > SCHEMA_VERSION) throw new RangeError(`no schema version ${to} to migrate to`);
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS eventline_schema (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM eventline_schema').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > to) {
      // The open turns this into a StoreOpenError, with this as its cause.
      throw new Error(`the file has schema version ${current}, newer than this Eventline (${to})`);
    }
    for (const sql of MIGRATIONS.slice(current, to)) db.exec(sql);
    if (!row) db.prepare('INSERT INTO eventline_schema (version) VALUES (?)').run(to);
    else db.prepare('UPDATE eventline_schema SET version = ?').run(to);
  }).immediate();
}
