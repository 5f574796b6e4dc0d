// node-postgres, loaded when a PostgreSQL store is first opened. It is an optional peer
// of Eventline: applications that use only memory or SQLite never install it.

import type pg from 'pg';

export async function loadPg(): Promise<typeof pg> {
  try {
    return (await import('pg')).default;
  } catch (error) {
    throw withInstallAdvice(error);
  }
}

/** The error of importing a pg that is not installed, as one line that says to install it; any other error as it is. */
export function withInstallAdvice(error: unknown): unknown {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' || typeof message !== 'string' || !message.includes("'pg'")) return error;
  return new Error('the PostgreSQL store needs the pg package: npm install pg', { cause: error });
}
