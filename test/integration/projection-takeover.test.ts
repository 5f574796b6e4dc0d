// Competing consumers: several processes run the same projections on one store. On
// PostgreSQL exactly one holds each projection's lease and applies its events; when
// it is killed, another takes over within 10 seconds and resumes from the checkpoint.
// On SQLite every process may apply, and the checkpoint in each transaction still
// lets each event through exactly once.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openEventStore, type EventStore } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/postgres.js';
import { startProcess, type Child } from '../../src/testing/processes/spawn.js';
import { appendBankEvents, bankStatus, ledgerAppliers, readModelRows, rebuiltFromScratch, sleep, waitCaughtUp, waitUntil } from '../fixtures/bank.js';
import { BANK } from '../fixtures/cli.js';

/** Appends ten events every 20 ms until stopped; resolves with how many it appended. */
function keepAppending(store: EventStore): { stop(): Promise<number> } {
  let appending = true;
  const writing = (async () => {
    let appended = 0;
    while (appending) {
      await appendBankEvents(store, 10, 10, 1000 + appended);
      appended += 10;
      await sleep(20);
    }
    return appended;
  })();
  return {
    stop() {
      appending = false;
      return writing;
    },
  };
}

/** The bank events' positions, which the ledger must hold exactly once each. */
async function bankPositions(store: EventStore): Promise<number[]> {
  const positions: number[] = [];
  for await (const event of store.readAll({ types: ['Deposited', 'Withdrawn'] })) positions.push(event.position);
  return positions;
}

/** The processes that applied the ledger, in order, each once per unbroken run of lines. */
function runsOfAppliers(appliers: readonly { applied_by: number }[]): number[] {
  return appliers.map((a) => a.applied_by).filter((pid, i, all) => i === 0 || pid !== all[i - 1]);
}

async function stopAll(children: readonly Child[]): Promise<void> {
  await Promise.all(children.map((child) => child.kill('SIGTERM')));
}

const postgres = postgresTestUrl();
if (postgres) {
  after(() => postgres.dropAll());

  test('three projectors on PostgreSQL: one is active, and when it is killed another takes over within 10 s', { timeout: 60_000 }, async (t) => {
    const url = await postgres.freshUrl();
    const store = await openEventStore(url);
    const projectors = [1, 2, 3].map(() => startProcess('projector', [url, BANK, '--batch-size', '20']));
    let writer: ReturnType<typeof keepAppending> | undefined;
    try {
      await appendBankEvents(store, 200);
      await Promise.all(projectors.map((p) => p.printed('running')));
      writer = keepAppending(store);

      // The active projector creates the ledger when it starts applying: ask for its rows
      // only once its checkpoint has moved.
      await waitUntil('a projector started applying', async () => ((await bankStatus(store)).find((s) => s.name === 'balances')?.position ?? 0) > 0);
      await waitUntil('balances applied the first events', async () => (await ledgerAppliers(store)).length > 300);
      const before = runsOfAppliers(await ledgerAppliers(store));
      assert.equal(before.length, 1, 'one process applied every event so far');
      const victim = projectors.find((p) => p.pid === before[0])!;
      assert.ok(victim, 'the active process is one of ours');

      const killedAt = Date.now();
      await victim.kill();
      await waitUntil('another projector took over', async () => runsOfAppliers(await ledgerAppliers(store)).length > 1, 15_000);
      const takeoverMs = Date.now() - killedAt;
      t.diagnostic(`took over ${takeoverMs} ms after the kill`);
      assert.ok(takeoverMs < 10_000, `took over within 10 s (took ${takeoverMs} ms)`);

      await sleep(300);
      await writer.stop();
      await waitCaughtUp(store);
      const survivors = projectors.filter((p) => p !== victim);
      await stopAll(survivors);

      const appliers = await ledgerAppliers(store);
      assert.deepEqual(
        appliers.map((a) => a.position),
        await bankPositions(store),
        'every event applied exactly once',
      );
      const runs = runsOfAppliers(appliers);
      assert.equal(runs.length, 2, 'the killed process, then one successor: never two at once');
      assert.ok(survivors.some((p) => p.pid === runs[1]));
      assert.deepEqual(await readModelRows(store), await rebuiltFromScratch(store));
    } finally {
      // A failed assertion leaves the writer appending: stop it before the store closes,
      // so the failure shows rather than the writer's StoreClosedError.
      await writer?.stop().catch(() => 0);
      await Promise.all(projectors.map((p) => p.kill()));
      await store.close();
    }
  });
} else {
  test('three projectors on PostgreSQL', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
}

test('two projectors on one SQLite file apply each event exactly once', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-takeover-'));
  const url = `sqlite:${join(dir, 'bank.db')}`;
  const store = await openEventStore(url);
  const projectors = [1, 2].map(() => startProcess('projector', [url, BANK, '--batch-size', '20']));
  try {
    await appendBankEvents(store, 2_000);
    await Promise.all(projectors.map((p) => p.printed('running')));
    const writer = keepAppending(store);
    await sleep(1_000);
    await writer.stop();
    await waitCaughtUp(store);
    await stopAll(projectors);

    const appliers = await ledgerAppliers(store);
    assert.deepEqual(
      appliers.map((a) => a.position),
      await bankPositions(store),
      'every event applied exactly once',
    );
    assert.deepEqual(await readModelRows(store), await rebuiltFromScratch(store));
  } finally {
    await Promise.all(projectors.map((p) => p.kill()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
