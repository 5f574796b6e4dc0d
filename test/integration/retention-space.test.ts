// Space given back after a prune, measured: a SQLite file made today shrinks at once
// (incremental vacuum and a WAL checkpoint); a file made before keeps its free pages and
// says what a full vacuum would cost, which then shrinks it; PostgreSQL runs VACUUM (ANALYZE).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { openEventStore, pruneStore, retentionPolicy, type EventStore } from '../../src/index.js';
import { migrate } from '../../src/stores/sqlite/schema.js';
import { postgresTestUrl, postgresUnavailable } from '../../src/testing/postgres.js';

const closedDrafts = retentionPolicy<number>({
  name: 'closed drafts',
  category: 'draft',
  when: () => true,
  fold: { initialState: () => 0, evolve: (n) => n + 1, stateSchemaVersion: 1 },
});

/** 400 events of about 4 KiB in 40 draft streams, and as many in 40 post streams that stay. */
async function fill(store: EventStore): Promise<void> {
  const body = 'x'.repeat(4000);
  for (let i = 0; i < 40; i++) {
    await store.appendToStream(`draft-${i}`, Array.from({ length: 10 }, (_, n) => ({ type: 'Edited', data: { n, body } })));
    await store.appendToStream(`post-${i}`, Array.from({ length: 10 }, (_, n) => ({ type: 'Edited', data: { n, body } })));
  }
}

const folder = await mkdtemp(join(tmpdir(), 'eventline-space-'));
after(() => rm(folder, { recursive: true, force: true }));

test('a SQLite file made today gives the space of pruned events back at once', async () => {
  const store = await openEventStore(`sqlite:${join(folder, 'new.db')}`);
  try {
    await fill(store);
    const before = (await store.retention.reclaimSpace()).bytesAfter;
    const report = await pruneStore(store, { policies: [closedDrafts], archiveDir: join(folder, 'new-archives') });
    assert.equal(report.removed, 400);
    assert.equal(report.space?.done, 'incremental');
    assert.equal(report.space?.advice, undefined);
    const afterPrune = (await store.stats()).bytes;
    assert.ok(afterPrune < before * 0.6, `${afterPrune} bytes after, ${before} before`);
  } finally {
    await store.close();
  }
});

test('a SQLite file made before incremental vacuum says what a full vacuum costs, which then shrinks it', async () => {
  const file = join(folder, 'old.db');
  const old = new Database(file);
  migrate(old);
  old.close();
  const store = await openEventStore(`sqlite:${file}`);
  try {
    await fill(store);
    const before = (await store.retention.reclaimSpace()).bytesAfter;
    const report = await pruneStore(store, { policies: [closedDrafts], archiveDir: join(folder, 'old-archives') });
    assert.equal(report.space?.done, 'none');
    assert.match(report.space?.advice ?? '', /free pages stay in it.*rewrites the whole file/);
    assert.ok(report.space!.bytesAfter >= before * 0.9, 'the file kept its pages');
    const full = await store.retention.reclaimSpace({ full: true });
    assert.equal(full.done, 'vacuum');
    assert.ok(full.bytesAfter < before * 0.6, `${full.bytesAfter} bytes after, ${before} before`);
    assert.equal((await store.retention.reclaimSpace()).done, 'incremental', 'the rewrite turned incremental vacuum on');
  } finally {
    await store.close();
  }
});

const postgres = postgresTestUrl();
const unavailable = postgresUnavailable();
test('PostgreSQL runs VACUUM (ANALYZE) after a prune, and VACUUM FULL when asked', { skip: unavailable?.required ? false : unavailable?.reason ?? false }, async () => {
  assert.ok(postgres, unavailable?.reason);
  const store = await openEventStore(await postgres.freshUrl());
  try {
    await fill(store);
    const report = await pruneStore(store, { policies: [closedDrafts], archiveDir: join(folder, 'pg-archives') });
    assert.equal(report.removed, 400);
    assert.equal(report.space?.done, 'vacuum-analyze');
    assert.ok(report.space!.bytesAfter > 0);
    assert.match(report.space?.advice ?? '', /takes new events; a full vacuum .*VACUUM FULL/);
    // The operator's choice: the rewrite gives the space back to the disk.
    const full = await store.retention.reclaimSpace({ full: true });
    assert.equal(full.done, 'vacuum-full');
    assert.ok(full.bytesAfter < report.space!.bytesAfter, `${full.bytesAfter} bytes after the full vacuum, ${report.space!.bytesAfter} before`);
  } finally {
    await store.close();
    await postgres.dropAll();
  }
});
