import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withBindingAdvice } from '../../../src/stores/sqlite-db/driver.js';

test('a better-sqlite3 install without its native binding is explained in one line that says how to build it', () => {
  // The driver's message when its install script never ran: one line per path it searched.
  const missing = new Error('Could not locate the bindings file. Tried:\n → /app/node_modules/better-sqlite3/build/better_sqlite3.node\n → /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  const explained = withBindingAdvice(missing) as Error;
  assert.match(explained.message, /^better-sqlite3 has no native binding .*npm rebuild better-sqlite3/);
  assert.doesNotMatch(explained.message, /\n/);
  assert.equal(explained.cause, missing);
});

test('any other error opening a database is left as it is', () => {
  const busy = new Error('unable to open database file');
  assert.equal(withBindingAdvice(busy), busy);
});
