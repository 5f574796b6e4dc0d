// PostgreSQL for tests: each test gets its own schema on the server named by
// EVENTLINE_POSTGRES_URL, dropped afterwards. Without that variable the tests are
// skipped with a notice, except under CI=true, where a missing server is a failure.

import { randomBytes } from 'node:crypto';

export interface PostgresTestDatabase {
  /** A store URL in a new schema of its own. */
  freshUrl(): Promise<string>;
  /** Drops every schema this helper created. */
  dropAll(): Promise<void>;
}

/**
 * Returns undefined (after printing why) when no server is configured; throws under CI=true.
 */
export function postgresTestUrl(env: NodeJS.ProcessEnv = process.env): PostgresTestDatabase | undefined {
  const base = env.EVENTLINE_POSTGRES_URL;
  if (!base) {
    if (env.CI === 'true') throw new Error('EVENTLINE_POSTGRES_URL is not set, and CI=true needs the PostgreSQL tests to run');
    console.log('# notice: EVENTLINE_POSTGRES_URL is not set; skipping the PostgreSQL tests');
    return undefined;
  }
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
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
