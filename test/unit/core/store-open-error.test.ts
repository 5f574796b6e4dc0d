import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openEventStore, StoreOpenError } from '../../../src/index.js';

test('a store that cannot be opened is named without its password', async () => {
  await assert.rejects(openEventStore('postgres://ann:s3cret@127.0.0.1:1/db'), (error) => {
    assert.ok(error instanceof StoreOpenError);
    assert.equal(error.url, 'postgres://ann:***@127.0.0.1:1/db');
    assert.ok(!error.message.includes('s3cret'), error.message);
    return true;
  });
});
