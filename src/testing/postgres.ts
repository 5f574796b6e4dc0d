// PostgreSQL for tests: each test gets its own schema on the server named by
// EVENTLINE_POSTGRES_URL, dropped afterwards. Without that variable the tests are
// skipped with a notice, except under CI=true, where a missing server is a failure.

import { randomBytes } from 'node:crypto';
import { loadPg } from '../stores/postgres/driver.js';

export interface PostgresTestDatabase {
  /** A store URL in a new schema of its own. */
  freshUrl(): Promise<string>;
  /** Drops every schema this helper created, and the key schema a key storage made beside each (`<schema>_keys`). */
  dropAll(): Promise<void>;
}

/** Why the PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(env: NodeJS.ProcessEnv = process.env): { reason: string; required: boolean } | undefined {
  if (env.EVENTLINE_POSTGRES_URL) return undefined;
  const required = env.CI === 'true';
  return {
    reason: required
      ? 'EVENTLINE_POSTGRES_URL is not set, and CI=true needs the PostgreSQL tests to run'
      : 'EVENTLINE_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test); skipping the PostgreSQL tests',
    required,
  };
}

/**
 * Returns undefined (after printing why) when no server is configured; throws under CI=true.
 */
export function postgresTestUrl(env: NodeJS.ProcessEnv = process.env): PostgresTestDatabase | undefined {
  const unavailable = postgresUnavailable(env);
  if (unavailable) {
    if (unavailable.required) throw new Error(unavailable.reason);
    console.log(`# notice: ${unavailable.reason}`);
    return undefined;
  }
  const base = new URL(env.EVENTLINE_POSTGRES_URL!);
  base.searchParams.delete('schema');
  base.searchParams.delete('pool');
  const schemas: string[] = [];
  return {
    async freshUrl() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      const url = new URL(base);
      url.searchParams.set('schema', schema);
      return url.toString();
    },
    async dropAll() {
      if (schemas.length === 0) return;
      const pg = await loadPg();
      const client = new pg.Client({ connectionString: base.toString() });
      await client.connect();
      try {
        // The names are ours (t_ and hex digits, and _keys), so quoting them here is safe.
        for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}", "${schema}_keys" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
