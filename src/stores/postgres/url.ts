// A PostgreSQL store's URL: `postgres://user@host:port/db` (or `postgresql://`), with
// Eventline's `?schema=name` (default `eventline`) and `&pool=N`, and the libpq
// connection parameters node-postgres reads, which are passed through.

import { StoreOpenError } from '../../core/errors.js';
import { rejectRepeated, rejectUnknown } from '../url-params.js';
import type { PostgresOptions } from './postgres-storage.js';

/** The connection parameters of a URL that node-postgres reads, besides Eventline's schema and pool. */
const POSTGRES_PARAMETERS = new Set([
  'host', 'port', 'user', 'password', 'db', 'encoding', 'client_encoding', 'options',
  'application_name', 'fallback_application_name',
  'ssl', 'sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'sslnegotiation', 'uselibpqcompat',
  'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'query_timeout',
]);

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

/** The connection string for the driver (without Eventline's parameters), the schema and the pool size a URL names. */
export function parsePostgresUrl(url: string): Omit<PostgresOptions, 'create'> {
  const parsed = new URL(url);
  rejectRepeated(url, parsed.searchParams);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  const pool = parsed.searchParams.get('pool');
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('pool');
  // The driver ignores a parameter it does not know: a misspelled schema would quietly
  // open the default one.
  rejectUnknown(url, parsed.searchParams, POSTGRES_PARAMETERS, `a PostgreSQL URL takes schema, pool and ${[...POSTGRES_PARAMETERS].join(', ')}`);
  const poolSize = pool === null ? undefined : Number(pool);
  if (poolSize !== undefined && (!Number.isSafeInteger(poolSize) || poolSize < 1)) {
    throw new StoreOpenError(url, `pool must be a whole number >= 1, got ${JSON.stringify(pool)}`);
  }
  return { connectionString: parsed.toString(), schema, poolSize };
}
