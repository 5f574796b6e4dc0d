// Maintenance at the store level: every store has an epoch, a UUIDv7 that stays until a
// restore or a copy mints another, and a maintenance lock that lets one task at a time
// (a prune, an archive restore, a backup) work on the store, naming it to the others.

import assert from 'node:assert/strict';
import { MaintenanceBusyError } from '../../core/errors.js';
import { defineCase, type ConformanceOptions } from './suite.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function maintenanceCases(options: ConformanceOptions): void {
  const it = (name: string, body: Parameters<typeof defineCase>[2]) => defineCase(options, name, body);

  it('a store has an epoch, a UUIDv7 that appends leave as it is and renewEpoch replaces', async (store) => {
    const epoch = await store.epoch();
    assert.match(epoch, UUID_V7);
    await store.appendToStream('post-1', [{ type: 'PostWasCreated', data: {} }]);
    assert.equal(await store.epoch(), epoch);

    const renewed = await store.maintenance.renewEpoch();

    assert.match(renewed, UUID_V7);
    assert.notEqual(renewed, epoch);
    assert.equal(await store.epoch(), renewed);
  });

  it('the maintenance lock lets one task at a time work, names it to another, and is free again once released', async (store) => {
    let refused: unknown;
    const result = await store.maintenance.withLock('prune', async () => {
      refused = await store.maintenance.withLock('backup', async () => 'ran').catch((error: unknown) => error);
      return 'pruned';
    });

    assert.equal(result, 'pruned');
    assert.ok(refused instanceof MaintenanceBusyError, `expected MaintenanceBusyError, got ${String(refused)}`);
    assert.equal(refused.code, 'MAINTENANCE_BUSY');
    assert.equal(refused.task, 'backup');
    assert.match(refused.holder, new RegExp(`^prune \\(process ${process.pid} on `));
    assert.equal(await store.maintenance.withLock('backup', async () => 'ran'), 'ran');
  });

  it('a task that throws releases the lock', async (store) => {
    await assert.rejects(store.maintenance.withLock('prune', async () => Promise.reject(new Error('the task failed'))), /the task failed/);
    assert.equal(await store.maintenance.withLock('archive restore', async () => 'ran'), 'ran');
  });
}
