// Restoring a PostgreSQL backup (pg_dump's custom format of one schema) with pg_restore,
// in one transaction: the schema is there whole or not at all. The dump names its
// schema (its functions do too: the notify channel and lock keys), so it goes back into
// a schema of the same name, in the database the URL names. A schema that holds
// anything is refused: a restore never overwrites a store.

import type { Client } from 'pg';
import { ValidationError } from '../../core/errors.js';
import { quoteSchema } from './identifiers.js';
import { runPgProgram } from './maintenance.js';

export async function restorePostgresDump(connect: () => Promise<Client>, connectionString: string, schema: string, backup: string): Promise<void> {
  const s = quoteSchema(schema);
  const client = await connect();
  try {
    const { rows } = await client.query<{ present: boolean; objects: number }>(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present,
              (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1) AS objects`,
      [schema],
    );
    if (rows[0]!.objects > 0) throw new ValidationError('into', `schema ${schema} is not empty: a backup is restored only where there is no store yet`);
    // An empty schema of that name would stop pg_restore at its CREATE SCHEMA.
    if (rows[0]!.present) await client.query(`DROP SCHEMA ${s}`);
  } finally {
    await client.end();
  }
  await runPgProgram('pg_restore', connectionString, ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', backup]);
}
