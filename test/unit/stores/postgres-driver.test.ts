import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withInstallAdvice } from '../../../src/stores/postgres/driver.js';

test('opening a PostgreSQL store where pg is not installed says to install it', () => {
  // What Node throws when a dynamic import names a package that is not there.
  const missing = Object.assign(new Error("Cannot find package 'pg' imported from /app/node_modules/eventline/dist/src/stores/postgres/driver.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  const explained = withInstallAdvice(missing) as Error;
  assert.equal(explained.message, 'the PostgreSQL store needs the pg package: npm install pg');
  assert.equal(explained.cause, missing);
});

test('a missing package that pg itself needs is left as it is', () => {
  const inner = Object.assign(new Error("Cannot find package 'pg-protocol' imported from /app/node_modules/pg/lib/client.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  assert.equal(withInstallAdvice(inner), inner);
});
