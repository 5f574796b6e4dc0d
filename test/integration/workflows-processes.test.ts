// Timers shared by real processes on PostgreSQL, with the system clock: two processes
// running the same workflows fire every due timer exactly once between them, both
// taking part; and when one is killed with kill -9 while it holds claims, the other
// fires those timers once the claims run out, and takes over the workflow's log.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, describe, test, type TestContext } from 'node:test';
import { openEventStore, workflowControls, type EventStore } from '../../src/index.js';
import { postgresTestUrl, postgresUnavailable } from '../../src/testing/postgres.js';
import { startProcess, type Child } from '../../src/testing/processes/spawn.js';
import { CHECKPOINTS, TIMERS, tablesOf } from '../../src/workflows/tables.js';
import { eventually } from '../fixtures/outbox.js';
import { noted, reminderFlow, requested } from '../fixtures/reminders.js';

const REMINDERS = 200;
const CLAIM_MS = 1500;
const MODULE = fileURLToPath(new URL('../fixtures/reminders.ts', import.meta.url));

const unavailable = postgresUnavailable();
const postgres = unavailable ? undefined : postgresTestUrl();
if (postgres) after(() => postgres.dropAll());

/** A fresh schema with the table the processes record their firings in. */
async function freshStore(t: TestContext): Promise<{ url: string; store: EventStore }> {
  const url = await postgres!.freshUrl();
  const store = await openEventStore(url);
  t.after(() => store.close());
  await store.readModels.transaction({ fired_by: store.readModels.table('fired_by') }, (db) =>
    db.exec('CREATE TABLE {fired_by} (event_id TEXT PRIMARY KEY, stream_id TEXT NOT NULL, process TEXT NOT NULL)'),
  );
  return { url, store };
}

function startRunner(t: TestContext, url: string, name: string, extra: string[] = []): Child {
  const child = startProcess('workflow-runner', [url, MODULE, name, '--timer-poll-ms', '100', '--timer-claim-ms', String(CLAIM_MS), ...extra]);
  t.after(() => child.kill());
  return child;
}

/** Requests a reminder per instance, due from `dueIn` ms on, spread over `spreadMs`. */
async function requestReminders(store: EventStore, dueIn: number, spreadMs: number): Promise<string[]> {
  const base = Date.now() + dueIn;
  const ids = Array.from({ length: REMINDERS }, (_, i) => `r${i}`);
  for (const [i, id] of ids.entries()) await store.appendToStream(`requests-${id}`, [requested(id, base + ((i * 7) % spreadMs))]);
  return ids;
}

const firedBy = async (store: EventStore) =>
  store.readModels.transaction({ fired_by: store.readModels.table('fired_by') }, (db) => db.all<{ event_id: string; stream_id: string; process: string }>('SELECT event_id, stream_id, process FROM {fired_by}'));

const tally = (rows: { process: string }[]) => rows.reduce<Record<string, number>>((counts, row) => ({ ...counts, [row.process]: (counts[row.process] ?? 0) + 1 }), {});

/** How many of each type every instance recorded, and how often each Ring ran. */
async function recorded(store: EventStore): Promise<{ perInstance: Map<string, Record<string, number>>; rings: Map<string, number>; ringers: Record<string, number>; firedAt: Map<string, number> }> {
  const perInstance = new Map<string, Record<string, number>>();
  const rings = new Map<string, number>();
  const ringers: Record<string, number> = {};
  const firedAt = new Map<string, number>();
  for await (const event of store.readAll({ types: ['TimerFired', 'WorkflowCommandSent', 'OutboxMessage', 'RingHandled'] })) {
    if (event.type === 'RingHandled') {
      rings.set(event.streamId, (rings.get(event.streamId) ?? 0) + 1);
      const { process } = event.data as { process: string };
      ringers[process] = (ringers[process] ?? 0) + 1;
      continue;
    }
    const counts = perInstance.get(event.streamId) ?? {};
    counts[event.type] = (counts[event.type] ?? 0) + 1;
    perInstance.set(event.streamId, counts);
    if (event.type === 'TimerFired') firedAt.set(event.streamId, Date.parse((event.data as { firedAt: string }).firedAt));
  }
  return { perInstance, rings, ringers, firedAt };
}

/** Every instance fired its timer once, sent one command and one message; every Ring ran at least once. */
function assertOnceEach(ids: readonly string[], { perInstance, rings }: Awaited<ReturnType<typeof recorded>>): void {
  assert.equal(perInstance.size, ids.length);
  for (const id of ids) {
    assert.deepEqual(perInstance.get(`workflow-reminder-${id}`), { TimerFired: 1, WorkflowCommandSent: 1, OutboxMessage: 1 }, id);
    assert.ok((rings.get(`ring-${id}`) ?? 0) >= 1, `Ring ran for ${id}`);
  }
}

if (unavailable) {
  console.log(`# notice: ${unavailable.reason}`);
  test('workflow timers shared by processes on PostgreSQL', (t) => (unavailable.required ? assert.fail(unavailable.reason) : t.skip(unavailable.reason)));
} else {
  describe('workflow timers shared by real processes on PostgreSQL', () => {
    test(`given two processes and ${REMINDERS} timers due within a second, then each fires exactly once in all, and both processes fire some`, { timeout: 30_000 }, async (t) => {
      const { url, store } = await freshStore(t);
      const one = startRunner(t, url, 'one');
      const two = startRunner(t, url, 'two');
      await Promise.all([one.printed('running'), two.printed('running')]);

      const started = Date.now();
      const ids = await requestReminders(store, 1500, 1000);
      await eventually(async () => (await firedBy(store)).length === REMINDERS, 'every timer fired', 20_000, 50);
      await eventually(async () => (await recorded(store)).rings.size === REMINDERS, 'every Ring ran', 10_000, 50);
      const firedIn = Date.now() - started;
      await Promise.all([one.kill('SIGTERM'), two.kill('SIGTERM')]);
      assert.deepEqual(await Promise.all([one.result, two.result]), [{ stopped: true }, { stopped: true }]);

      const data = await recorded(store);
      assertOnceEach(ids, data);
      // No process crashed: every Ring ran exactly once, in the one process that follows the log.
      assert.deepEqual([...data.rings.values()].filter((n) => n !== 1), []);
      assert.equal(Object.keys(data.ringers).length, 1, `one process ran the commands: ${JSON.stringify(data.ringers)}`);
      const rows = await firedBy(store);
      assert.equal(new Set(rows.map((r) => r.stream_id)).size, REMINDERS, 'one firing per timer');
      const counts = tally(rows);
      assert.ok(counts.one! > 0 && counts.two! > 0, `both processes fired timers: ${JSON.stringify(counts)}`);
      t.diagnostic(`fired by process: ${JSON.stringify(counts)}; Ring ran by ${JSON.stringify(data.ringers)}; ${REMINDERS} requested, fired and rung in ${firedIn} ms`);
    });

    test(`given two processes, when the one that follows the log is killed with kill -9 while it holds claims, then the other fires its timers once the claims run out, and takes the inputs that follow`, { timeout: 30_000 }, async (t) => {
      const { url, store } = await freshStore(t);
      // The first process takes the workflow's lease, and fires slowly: each firing's transaction stays open 20 ms.
      const dying = startRunner(t, url, 'dying', ['--fire-delay-ms', '20']);
      await dying.printed('running');
      const following = () => store.readModels.transaction(tablesOf(store.readModels), (db) => db.all(`SELECT name FROM {${CHECKPOINTS}}`)).catch(() => []);
      await eventually(async () => (await following()).length > 0, 'the first process follows the log', 10_000, 20);
      const survivor = startRunner(t, url, 'survivor');
      await survivor.printed('running');

      // All due at once: each process claims up to 100 in one go.
      const ids = await requestReminders(store, 1500, 1);
      await eventually(async () => (tally(await firedBy(store)).dying ?? 0) >= 10, 'the first process is firing', 20_000, 5);
      // The moment the kill is sent: on a loaded machine the process may take a while to be reaped.
      const killedAt = Date.now();
      await dying.kill();
      const claims = await store.readModels.transaction(tablesOf(store.readModels), (db) =>
        db.all<{ stream_id: string; claimed_until: string | number }>(`SELECT stream_id, claimed_until FROM {${TIMERS}} WHERE claimed_until > $1`, [killedAt]),
      );
      const heldUntil = new Map(claims.map((c) => [c.stream_id, Number(c.claimed_until)]));
      const firedBeforeKill = tally(await firedBy(store));

      // Inputs after the kill: only a process that follows the log can take them.
      for (const id of ids) await store.appendToStream(`notes-${id}`, [noted(id)]);
      const controls = workflowControls(store, [reminderFlow]);
      await eventually(async () => (await controls.counts()).completed === REMINDERS, 'every instance rang and was noted', 20_000, 50);
      const settledIn = Date.now() - killedAt;
      await survivor.kill('SIGTERM');
      assert.deepEqual(await survivor.result, { stopped: true });

      const data = await recorded(store);
      assertOnceEach(ids, data);
      const rows = await firedBy(store);
      assert.equal(rows.length, REMINDERS, 'one firing per timer');
      assert.deepEqual(tally(rows), { dying: firedBeforeKill.dying, survivor: REMINDERS - firedBeforeKill.dying! });
      // Timers claimed at the kill and fired after their claim ran out: the dead process's, taken over.
      const takenOver = [...heldUntil].filter(([streamId, until]) => data.firedAt.get(streamId)! >= until);
      // It held most of the 100 it claimed: it had fired about 10 of them, 20 ms apiece.
      assert.ok(takenOver.length >= 50, `the survivor fired the timers the dead process had claimed, after the claims ran out: ${takenOver.length} of ${heldUntil.size} claimed at the kill`);
      assert.ok(data.ringers.survivor! > 0, `the survivor ran commands after the kill: ${JSON.stringify(data.ringers)}`);
      const reruns = [...data.rings.values()].filter((n) => n > 1).length;
      t.diagnostic(
        `fired before the kill: ${JSON.stringify(firedBeforeKill)}; ${heldUntil.size} timers claimed at the kill, ${takenOver.length} fired by the survivor after their claim ran out; ` +
          `Ring ran by process ${JSON.stringify(data.ringers)}, ${reruns} of them again; every instance completed ${settledIn} ms after the kill`,
      );
    });
  });
}
