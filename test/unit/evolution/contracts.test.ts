// The contract checks on their own, without a process: an upcaster that answers
// differently for the same data is caught, and a rename is followed from an approved
// fixture of the old name.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { approveContracts, checkContracts, problemLine, type ContractsModule } from '../../../src/cli/contracts.js';
import { jsonCodec } from '../../../src/core/codec.js';
import { defineEventSchemas } from '../../../src/index.js';

async function inFolder(story: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eventline-contracts-'));
  try {
    await story(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const module = (schemas: ContractsModule['schemas'], data: object, type = 'Tagged'): ContractsModule => ({ schemas, examples: [{ type, data }], codec: jsonCodec as ContractsModule['codec'] });

test('an upcaster that answers differently for the same data is not pure, and check says so', () =>
  inFolder(async (dir) => {
    await approveContracts(module(defineEventSchemas({ Tagged: { version: 1 } }), { n: 1 }), dir, false);
    let calls = 0;
    const impure = defineEventSchemas({ Tagged: { version: 2, upcast: { 1: (data: { n: number }) => ({ ...data, at: ++calls }) } } });
    await approveContracts(module(impure, { n: 1, at: 1 }), dir, false);
    const { problems } = await checkContracts(module(impure, { n: 1, at: 1 }), dir);
    assert.deepEqual(problems.map(problemLine), ['Tagged v1: its upcasters answer differently for the same data: they must be pure']);
  }));

test('a fixture approved under an older name upcasts through the rename', () =>
  inFolder(async (dir) => {
    await approveContracts(module(defineEventSchemas({}), { n: 1 }, 'Old'), dir, false);
    const renamed = defineEventSchemas({ New: { version: 2, renamedFrom: ['Old'], upcast: { 1: (data: { n: number }) => ({ count: data.n }) } } });
    await approveContracts(module(renamed, { count: 3 }, 'New'), dir, false);
    assert.deepEqual((await checkContracts(module(renamed, { count: 3 }, 'New'), dir)).problems, []);
    const broken = defineEventSchemas({ New: { version: 2, renamedFrom: ['Old'], upcast: { 1: (data: { n: number }) => ({ total: data.n }) } } });
    assert.deepEqual((await checkContracts(module(broken, { count: 3 }, 'New'), dir)).problems.map(problemLine), [
      'Old v1: upcasts to New v2 of another shape than the current one: count: removed, total: added',
    ]);
  }));
