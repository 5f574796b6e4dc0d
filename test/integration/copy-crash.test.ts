// Crash: `eventline copy` killed with kill -9 in the middle of a copy leaves the target
// holding a prefix of the source, in order, each event once, and its position map in
// step with it; the same command run again goes on from there and finishes, verified,
// with no event duplicated or skipped. SQLite into PostgreSQL (SQLite into SQLite
// without a server).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openEventStore, type EventStore, type RecordedEvent } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/postgres.js';
import { records, startEventline } from '../fixtures/cli.js';

const STREAMS = 100;
const EVENTS = 100;

const dir = mkdtempSync(join(tmpdir(), 'eventline-copy-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const postgres = postgresTestUrl();
if (postgres) after(() => postgres.dropAll());

async function ids(store: EventStore): Promise<string[]> {
  const found: string[] = [];
  for await (const e of store.readAll() as AsyncIterable<RecordedEvent>) found.push(e.eventId);
  return found;
}

test('a copy killed with kill -9 leaves a prefix of the source, and the next run finishes it', { timeout: 120_000 }, async () => {
  const from = `sqlite:${join(dir, 'source.db')}`;
  const to = postgres ? await postgres.freshUrl() : `sqlite:${join(dir, 'target.db')}`;
  const source = await openEventStore(from);
  for (let s = 0; s < STREAMS; s++) {
    await source.appendToStream(`order-${s}`, Array.from({ length: EVENTS }, (_, n) => ({ type: 'Placed', data: { s, n } })));
  }
  const expected = await ids(source);

  // Given a copy killed once it has written some batches.
  const copy = startEventline(['copy', from, to, '--batch-size', '20']);
  await copy.stderrMatches(/^copying: \d+%, [1-9]\d* events/);
  const killed = await copy.kill('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');

  // Then the target holds a prefix of the source, each event once.
  const target = await openEventStore(to, { create: false });
  try {
    const partial = await ids(target);
    assert.ok(partial.length > 0 && partial.length < expected.length, `a part was copied (${partial.length} of ${expected.length})`);
    assert.deepEqual(partial, expected.slice(0, partial.length));
  } finally {
    await target.close();
  }

  // When the same command runs again, it goes on from there, and verifies.
  const rerun = await startEventline(['--json', 'copy', from, to, '--batch-size', '20']).done;
  assert.equal(rerun.code, 0, rerun.stderr);
  const [report] = records(rerun.stdout) as [{ copied: number; resumed: number; verification: { events: number; mismatches: unknown[] } }];
  assert.equal(report.copied + report.resumed, expected.length);
  assert.ok(report.resumed > 0, 'the second run resumed');
  assert.deepEqual(report.verification.mismatches, []);
  assert.equal(report.verification.events, expected.length);

  const done = await openEventStore(to, { create: false });
  try {
    assert.deepEqual(await ids(done), expected, 'every event once, in order');
  } finally {
    await Promise.all([done.close(), source.close()]);
  }
});
