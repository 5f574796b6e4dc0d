// The PostgreSQL append's own errors: a unique violation from a writer that bypassed
// the append lock becomes the contract's error, with the driver's error as its cause.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pool } from 'pg';
import { ConcurrencyError, DuplicateEventError } from '../../../src/index.js';
import { translateUniqueViolation } from '../../../src/stores/postgres/append.js';

const uniqueViolation = (constraint: string, detail = '') =>
  Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', constraint, detail });

/** A pool whose every query answers `rows`, or fails. */
const answering = (rows: unknown[] | Error) =>
  ({ query: async () => (rows instanceof Error ? Promise.reject(rows) : { rows }) }) as unknown as Pool;

test('a duplicate event id is a DuplicateEventError naming it, the driver error its cause', async () => {
  const driver = uniqueViolation('events_event_id', 'Key (event_id)=(0190a1b2-0000-7000-8000-000000000001) already exists.');
  const error = await translateUniqueViolation(driver, answering([]), '"s"', 'post-1', 'any');
  assert.ok(error instanceof DuplicateEventError);
  assert.equal(error.code, 'DUPLICATE_EVENT');
  assert.equal(error.eventId, '0190a1b2-0000-7000-8000-000000000001');
  assert.equal(error.cause, driver);
});

test('a taken stream version is a ConcurrencyError with the stream version read back, the driver error its cause', async () => {
  const driver = uniqueViolation('events_stream_version');
  const error = await translateUniqueViolation(driver, answering([{ version: 4 }]), '"s"', 'post-1', 3);
  assert.ok(error instanceof ConcurrencyError);
  assert.equal(error.code, 'CONCURRENCY_CONFLICT');
  assert.deepEqual([error.streamId, error.expected, error.actual], ['post-1', 3, 4]);
  assert.equal(error.cause, driver);
});

test('any other driver error is left as it is', async () => {
  const other = Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
  assert.equal(await translateUniqueViolation(other, answering([]), '"s"', 'post-1', 'any'), other);
});
