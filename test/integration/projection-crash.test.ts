// Crash: a projector killed with kill -9 in the middle of a catch-up, and
// `eventline projections rebuild` killed in the middle of a rebuild. Started again,
// each leaves a read model equal, row for row, to one built from scratch, and the
// live tables keep answering throughout. On SQLite and on PostgreSQL.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openEventStore, ProjectionBusyError, rebuildProjection, type EventStore, type RebuildProgress } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/postgres.js';
import { startProcess } from '../../src/testing/processes/spawn.js';
import { appendBankEvents, bankStatus, readModelRows, rebuiltFromScratch, waitCaughtUp, waitUntil } from '../fixtures/bank.js';
import { BANK, eventline, ROOT, startEventline } from '../fixtures/cli.js';
import { bankProjections } from '../fixtures/projections.js';

interface Backend {
  name: string;
  freshUrl(): Promise<string>;
  /** Enough events that a kill lands in the middle of the work. */
  events: number;
}

const dir = mkdtempSync(join(tmpdir(), 'eventline-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const backends: Backend[] = [{ name: 'SQLite', freshUrl: async () => `sqlite:${join(dir, `crash-${++files}.db`)}`, events: 20_000 }];
const postgres = postgresTestUrl();
if (postgres) {
  after(() => postgres.dropAll());
  // Every statement is a round trip on PostgreSQL: fewer events take as long.
  backends.push({ name: 'PostgreSQL', freshUrl: postgres.freshUrl, events: 3_000 });
} else {
  test('projection crashes on PostgreSQL', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
}

async function withStore(url: string, story: (store: EventStore) => Promise<void>): Promise<void> {
  const store = await openEventStore(url);
  try {
    await story(store);
  } finally {
    await store.close();
  }
}

const balancesOf = async (store: EventStore) => (await bankStatus(store)).find((s) => s.name === 'balances')!;

for (const backend of backends) {
  describe(`projection crashes on ${backend.name}`, () => {
    test('a projector killed in the middle of a catch-up resumes from its checkpoint, and nothing is applied twice', { timeout: 60_000 }, async (t) => {
      const url = await backend.freshUrl();
      await withStore(url, async (store) => {
        const head = await appendBankEvents(store, backend.events);

        const first = startProcess('projector', [url, BANK, '--batch-size', '50']);
        t.after(() => first.kill());
        await first.printed('running');
        await waitUntil('balances is a tenth of the way', async () => (await balancesOf(store)).position >= head / 10);
        await first.kill();
        const atKill = await balancesOf(store);
        assert.ok(atKill.position > 0 && atKill.position < head, `the kill landed mid-way (checkpoint at ${atKill.position} of ${head})`);

        const second = startProcess('projector', [url, BANK, '--batch-size', '50']);
        t.after(() => second.kill());
        await waitCaughtUp(store, 40_000);
        await second.kill('SIGTERM');
        assert.deepEqual(await second.result, { stopped: true });

        const resumed = await readModelRows(store);
        assert.equal(resumed.ledger.length, backend.events, 'one ledger line per event');
        assert.deepEqual(resumed, await rebuiltFromScratch(store));
      });
    });

    test('eventline projections rebuild killed in the middle: the live tables keep answering, and a forced rebuild finishes the job', { timeout: 60_000 }, async (t) => {
      const url = await backend.freshUrl();
      await withStore(url, async (store) => {
        await appendBankEvents(store, backend.events);
        const projector = startProcess('projector', [url, BANK]);
        // A failed step must not leave the processes running past the test.
        t.after(() => projector.kill());
        await waitCaughtUp(store, 40_000);
        const before = await readModelRows(store);

        // Slowed down, so that the kill surely lands before the rebuild could finish.
        const rebuild = startEventline(['--store', url, 'projections', 'rebuild', 'balances', '--projections', BANK], ROOT, {
          BANK_APPLY_DELAY_MS: '1',
        });
        t.after(() => rebuild.kill());
        await rebuild.stderrMatches(/^rebuilding balances: \d+%/);
        assert.deepEqual(await readModelRows(store), before, 'queries answer from the live tables during the rebuild');
        const killed = await rebuild.kill();
        assert.equal(killed.signal, 'SIGKILL', `it was killed, not ended with code ${killed.code}: ${killed.stderr}`);
        assert.equal(killed.stdout, '', 'it was killed before it swapped');
        const crashed = await balancesOf(store);
        assert.equal(crashed.state, 'rebuilding');

        // Events keep arriving: the live tables answer, as they were, and other projections go on.
        const head = await appendBankEvents(store, 300, 100, 7);
        await waitUntil('event_types caught up', async () => (await bankStatus(store)).find((s) => s.name === 'event_types')!.position === head);
        assert.deepEqual((await readModelRows(store)).balances, before.balances);

        // Its heartbeat is fresh, so a plain rebuild is refused; --force takes it over.
        const refused = await eventline(['--store', url, 'projections', 'rebuild', 'balances', '--projections', BANK]);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, /^eventline: projection balances is being rebuilt already \(last heartbeat \d+ s ago\); --force takes it over now/);
        const forced = await eventline(['--store', url, 'projections', 'rebuild', 'balances', '--projections', BANK, '--force']);
        assert.equal(forced.code, 0, forced.stderr);
        assert.match(forced.stdout, new RegExp(`^rebuilt balances: ${backend.events + 300} events up to position ${head} in `));

        await waitCaughtUp(store, 40_000);
        await projector.kill('SIGTERM');
        const rebuilt = await readModelRows(store);
        assert.equal(rebuilt.ledger.length, backend.events + 300);
        assert.deepEqual(rebuilt, await rebuiltFromScratch(store));
      });
    });

    test('a rebuild whose heartbeat is older than abandonedAfterMs is taken over; the one taken over stops at its next batch', { timeout: 60_000 }, async () => {
      const url = await backend.freshUrl();
      await withStore(url, async (store) => {
        await appendBankEvents(store, 1_000);
        const [balances, eventTypes] = bankProjections();
        await rebuildProjection(store, eventTypes!);

        // A rebuild that died 2 s ago: its heartbeat is fresh for 5 s, abandoned after 1 s.
        await rebuildProjection(store, balances!, { batchSize: 500 });
        const rm = store.readModels;
        await rm.transaction({ cp: rm.table('eventline_projections') }, (db) =>
          db.run(`UPDATE {cp} SET state = 'rebuilding', updated_at = $1 WHERE name = 'balances'`, [Date.now() - 2_000]),
        );
        await assert.rejects(rebuildProjection(store, balances!, { abandonedAfterMs: 5_000 }), ProjectionBusyError);

        // One rebuild takes over, and while it runs a second takes it over in turn.
        let second: Promise<RebuildProgress> | undefined;
        const first = rebuildProjection(store, balances!, {
          batchSize: 100,
          abandonedAfterMs: 1_000,
          onProgress: () => void (second ??= rebuildProjection(store, balances!, { batchSize: 100, abandonedAfterMs: 0 })),
        });
        await assert.rejects(first, (error) => error instanceof ProjectionBusyError && /was taken over by another/.test(error.message));
        assert.equal((await second!).events, 1_000);
        assert.equal((await balancesOf(store)).state, 'running');
        const rows = await readModelRows(store);
        assert.equal(rows.ledger.length, 1_000);
        assert.deepEqual(rows.balances, (await rebuiltFromScratch(store)).balances);
      });
    });
  });
}
