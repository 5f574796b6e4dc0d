import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../../src/index.js';
import { eventStoreConformance } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-sqlite-'));
let files = 0;
const freshUrl = async () => `sqlite:${join(dir, `store-${++files}.db`)}`;
after(() => rmSync(dir, { recursive: true, force: true }));

eventStoreConformance({ name: 'sqlite', open: async () => openEventStore(await freshUrl()), freshUrl });
