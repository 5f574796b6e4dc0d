// better-sqlite3, loaded when a SQLite database is first opened. Its native binding is
// built by its install script; where npm did not run that script, the driver's own
// error lists every path it searched, and this says what to do instead.

import type { Database, Options } from 'better-sqlite3';

export async function openDatabase(path: string, options?: Options): Promise<Database> {
  const { default: open } = await import('better-sqlite3');
  try {
    return open(path, options);
  } catch (error) {
    throw withBindingAdvice(error);
  }
}

/** The driver's error for a missing binding, as one line that says how to build it; any other error as it is. */
export function withBindingAdvice(error: unknown): unknown {
  if (!(error instanceof Error) || !error.message.startsWith('Could not locate the bindings file')) return error;
  return new Error(
    'better-sqlite3 has no native binding (its install script did not run): run `npm rebuild better-sqlite3`, ' +
      'after `npm install-scripts approve better-sqlite3` where npm blocks install scripts',
    { cause: error },
  );
}
