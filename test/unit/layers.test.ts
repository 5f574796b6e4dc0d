// The layers rule (eslint/layers.js), run through ESLint with the repository's own
// config on source texts given the names of files that do not exist.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: fileURLToPath(new URL('../..', import.meta.url)) });

async function layerMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'eventline/layers').map((m) => m.message);
}

const ORDER = 'core → store → stores → open → application parts → faces (cli, testing, index.ts, storage.ts) → examples → lab';

test('an application part that imports a concrete store is refused, naming both parts and the order', async () => {
  const messages = await layerMessages('src/queries/leak.ts', `import { createMemoryStorage } from '../stores/memory/memory-storage.js';\nexport const open = createMemoryStorage;\n`);
  assert.deepEqual(messages, [
    `src/queries may not import src/stores/memory: layers run ${ORDER}; src/queries builds on core, store, src/commands and src/projections`,
  ]);
});

test('imports of lower layers and of declared parts of the same layer pass', async () => {
  const code = [
    `import type { EventStore } from '../store/event-store.js';`,
    `import type { Projection } from '../projections/projection.js';`,
    `import { ValidationError } from '../core/errors.js';`,
    `export type Both = [EventStore, Projection, ValidationError];`,
  ].join('\n');
  assert.deepEqual(await layerMessages('src/queries/fine.ts', code), []);
});

test('a store may not import another store, even for a type or lazily', async () => {
  const code = [
    `import type { SqliteStorage } from '../sqlite/sqlite-storage.js';`,
    `export const open = (): Promise<SqliteStorage> => import('../sqlite/sqlite-storage.js').then((m) => m.openSqliteStorage('x', { path: 'x' }));`,
  ].join('\n');
  const messages = await layerMessages('src/stores/memory/leak.ts', code);
  assert.equal(messages.length, 2);
  for (const message of messages) assert.match(message, /^src\/stores\/memory may not import src\/stores\/sqlite: /);
});

test('src/ never imports examples/', async () => {
  const messages = await layerMessages('src/cli/leak.ts', `export { postsProjection } from '../../examples/blog/read-side/index.js';\n`);
  assert.equal(messages.length, 1);
  assert.match(messages[0]!, /^src\/cli may not import examples: /);
});

test('a part of the application layer imports only the parts it declares, so they form no cycle', async () => {
  const messages = await layerMessages('src/snapshots/leak.ts', `export { handleCommand } from '../commands/index.js';\n`);
  assert.equal(messages.length, 1);
  assert.match(messages[0]!, /^src\/snapshots may not import src\/commands: /);
});

test('a folder of src/ that no layer names is refused', async () => {
  const messages = await layerMessages('src/gadgets/thing.ts', `export { ValidationError } from '../core/errors.js';\n`);
  assert.deepEqual(messages, ['src/gadgets is in no layer: add it to eslint/layers.js']);
});

test('examples use src/ through its public entry points only', async () => {
  const messages = await layerMessages('examples/blog/leak.ts', `export { uuidv7 } from '../../src/core/uuid.js';\n`);
  assert.deepEqual(messages, ['examples may import src/ only through src/index.ts and src/testing/index.ts, not src/core/uuid.ts']);
});
