import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConcurrencyError,
  DuplicateEventError,
  EventlineError,
  isEventlineError,
  NotFoundError,
  ProjectionBusyError,
  ProjectionFailedError,
  ProjectionTimeoutError,
  StoreOpenError,
  ValidationError,
} from '../../../src/index.js';
import { storeMissing } from '../../../src/core/errors.js';
import { OutputClosedError, UsageError } from '../../../src/cli/errors.js';
import { bindInOrder, inlineValues, substituteTables } from '../../../src/store/sql-text.js';

test('every error class is an EventlineError with its own stable code', () => {
  const cases: [EventlineError, string][] = [
    [new ValidationError('streamId', 'must not be empty'), 'VALIDATION_FAILED'],
    [new ConcurrencyError('s', 1, 2), 'CONCURRENCY_CONFLICT'],
    [new DuplicateEventError('id', 'is already stored'), 'DUPLICATE_EVENT'],
    [new StoreOpenError('memory:', 'no'), 'STORE_OPEN_FAILED'],
    [new NotFoundError('no such post'), 'NOT_FOUND'],
    [new ProjectionTimeoutError('late'), 'PROJECTION_TIMEOUT'],
    [new ProjectionBusyError('busy'), 'PROJECTION_BUSY'],
    [new ProjectionFailedError('posts', 7, 'boom'), 'PROJECTION_FAILED'],
    [new UsageError('bad'), 'USAGE'],
    [new OutputClosedError(), 'OUTPUT_CLOSED'],
  ];
  for (const [error, code] of cases) {
    assert.ok(error instanceof EventlineError, error.name);
    assert.ok(isEventlineError(error), error.name);
    assert.equal(error.code, code);
    assert.equal(error.name, error.constructor.name);
  }
});

test('an error that wraps another keeps it as its cause', () => {
  const driver = Object.assign(new Error('duplicate key value'), { code: '23505' });
  assert.equal(new ConcurrencyError('s', 1, 2, { cause: driver }).cause, driver);
  assert.equal(new DuplicateEventError('id', 'is already stored', { cause: driver }).cause, driver);
  assert.equal(new ProjectionFailedError('posts', 7, 'boom', { cause: driver }).cause, driver);
  assert.equal(new StoreOpenError('memory:', 'no', { cause: driver }).cause, driver);
});

test('a failed projection is named, with the position and what its handler said', () => {
  const error = new ProjectionFailedError('posts', 7, 'no title');
  assert.deepEqual([error.projection, error.position, error.reason], ['posts', 7, 'no title']);
  assert.equal(error.message, 'projection posts failed at position 7: no title');
});

test('a store opened with create: false where there is none says so by its reason, not its text', () => {
  const missing = storeMissing('sqlite:./nowhere.db');
  assert.ok(missing instanceof StoreOpenError);
  assert.equal(missing.reason, 'missing');
  assert.equal(missing.code, 'STORE_OPEN_FAILED');
  assert.equal(new StoreOpenError('memory:', 'no').reason, 'failed');
});

test('isEventlineError recognises an EventlineError of another copy of Eventline, and nothing merely named like one', async () => {
  // A second instance of the module: classes of its own, as a second copy of the package has.
  const copy = (await import(`../../../src/core/errors.js?copy=${Date.now()}`)) as typeof import('../../../src/core/errors.js');
  const foreign = new copy.ConcurrencyError('s', 1, 2);
  assert.ok(!(foreign instanceof EventlineError), 'instanceof fails across copies');
  assert.ok(isEventlineError(foreign));
  assert.ok(copy.isEventlineError(new ConcurrencyError('s', 1, 2)));

  const lookalike = Object.assign(new Error('x'), { name: 'ConcurrencyError', code: 'CONCURRENCY_CONFLICT' });
  for (const other of [lookalike, Object.assign(new Error('x'), { code: 'ENOENT' }), new Error('x'), 'CONCURRENCY_CONFLICT', null, undefined, {}]) {
    assert.equal(isEventlineError(other), false, String(other));
  }
});

test('a read-model statement that names an unknown table, or lacks a value, is a ValidationError', () => {
  assert.throws(() => substituteTables('SELECT * FROM {nope}', {}), (e) => e instanceof ValidationError && e.field === 'sql');
  assert.throws(() => bindInOrder([1], [0, 1]), (e) => e instanceof ValidationError && e.field === 'params');
  assert.throws(() => inlineValues('SELECT $1', [Infinity]), (e) => e instanceof ValidationError && e.field === 'params');
});
