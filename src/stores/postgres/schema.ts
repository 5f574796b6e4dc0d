// The PostgreSQL schema: numbered migrations applied on open and one schema-version row.
// Every table lives in one schema (default "eventline").
//
// Each step is frozen: it runs the SQL it ran when it was written, one file a step in
// migrations/, so a schema at version k is the same whichever Eventline brought it
// there, and an upgrade from k runs exactly what the steps after k ran for everyone
// else. A step's function definition that a later step replaces stays as it was; the
// newest step that defines a function holds its current text (007-append-event.ts,
// 008-append-batch.ts). A change to the schema, a function's text included, is a new
// step.

import type { PoolClient } from 'pg';
import { LOCK_MIGRATE, lockKey, quoteSchema } from './identifiers.js';
import { createEvents } from './migrations/001-events.js';
import { createSnapshots } from './migrations/002-snapshots.js';
import { appendNotifies } from './migrations/003-append-notifies.js';
import { createReadFunctions } from './migrations/004-read-functions.js';
import { versionsFromEvents } from './migrations/005-versions-from-events.js';
import { idsNamedByPosition } from './migrations/006-ids-named-by-position.js';
import { appendEvent } from './migrations/007-append-event.js';
import { appendBatch } from './migrations/008-append-batch.js';
import { prunedEvents } from './migrations/009-pruned-events.js';
import { storeEpoch } from './migrations/010-epoch.js';
import type { Migration, SchemaNames } from './migrations/migration.js';

/** The steps in order: a schema's version is how many of them it has run. */
const MIGRATIONS: readonly Migration[] = [
  createEvents,
  createSnapshots,
  appendNotifies,
  createReadFunctions,
  versionsFromEvents,
  idsNamedByPosition,
  appendEvent,
  appendBatch,
  prunedEvents,
  storeEpoch,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The channel appends notify on, one per schema. */
export function notifyChannel(schema: string): string {
  return `eventline_${schema}`;
}

/** The names the steps' SQL uses for `schema`, its identifier quoted by the one quoting helper. */
export function schemaNames(schema: string): SchemaNames {
  return { s: quoteSchema(schema), key: lockKey(schema), channel: notifyChannel(schema) };
}

/**
 * An event's time as whole epoch milliseconds, what a JavaScript Date holds: an integer
 * is cheaper to print and to parse than a float, and reads send one per event.
 */
export const RECORDED_MS = `floor(date_part('epoch', recorded_at) * 1000)::bigint`;

/**
 * Creates or upgrades the schema; concurrent openers take turns on an advisory lock. With
 * `create: false`, a schema that holds no Eventline store is left as it is, and the
 * result is false: the opener, which knows the URL, says so. `to` stops after that many
 * steps: the upgrade tests build the schemas of older versions with it.
 */
export async function migrate(
  client: PoolClient,
  s: string,
  schema: string,
  { create, to = MIGRATIONS.length }: { create: boolean; to?: number },
): Promise<boolean> {
  if (!Number.isInteger(to) || to < 1 || to > MIGRATIONS.length) throw new RangeError(`no schema version ${to} to migrate to`);
  const steps = MIGRATIONS.slice(0, to);
  const names = schemaNames(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_MIGRATE, lockKey(schema)]);
    if (!create) {
      const { rows } = await client.query<{ found: string | null }>(`SELECT to_regclass($1) AS found`, [`${s}.schema_version`]);
      if (rows[0]!.found === null) {
        await client.query('ROLLBACK');
        return false;
      }
    }
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`);
    const current = rows[0]?.version ?? 0;
    if (current > steps.length) {
      throw new Error(`schema ${schema} has version ${current}, newer than this Eventline (${steps.length})`);
    }
    for (const step of steps.slice(current)) await client.query(step(names));
    if (rows.length === 0) await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [steps.length]);
    else await client.query(`UPDATE ${s}.schema_version SET version = $1`, [steps.length]);
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
