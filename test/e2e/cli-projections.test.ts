// End-to-end: `eventline projections` as an operator runs it, real processes beside a
// running projection: status, a poison event that stops `balances` in failed while
// `event_types` goes on, retry, skip, rebuild, and every kind of bad input refused
// with exit 2, one line, and nothing written. On SQLite, and on PostgreSQL when
// EVENTLINE_POSTGRES_URL names a server.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openEventStore, startProjections, type EventStore, type Projections } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/postgres.js';
import { appendBankEvents, bankStatus, readModelRows, waitCaughtUp, waitUntil } from '../fixtures/bank.js';
import { BANK, eventline, type Result } from '../fixtures/cli.js';
import { bankProjections } from '../fixtures/projections.js';

const lines = (text: string) => text.split('\n').filter((line) => line !== '');
const records = (text: string) => lines(text).map((line) => JSON.parse(line) as Record<string, unknown>);

function assertRefused(result: Result, message: RegExp): void {
  assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '', 'nothing on stdout');
  assert.equal(lines(result.stderr).length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(result.stderr, /^eventline: /);
  assert.match(result.stderr, message);
}

const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-projections-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The operator's story, told on one store while this process runs the projections. */
function operatorStory(storeName: string, freshUrl: () => Promise<string>): void {
  describe(`eventline projections on ${storeName}, beside a running projection`, () => {
    let url: string;
    let store: EventStore;
    let running: Projections;
    let poisoned = true;
    const projections = (...args: string[]) => eventline(['--store', url, 'projections', ...args, '--projections', BANK]);
    const ok = async (...args: string[]) => {
      const result = await projections(...args);
      assert.equal(result.code, 0, `projections ${args.join(' ')}: ${result.stderr}`);
      return result;
    };
    const balances = async () => (await bankStatus(store)).find((s) => s.name === 'balances')!;

    before(async () => {
      url = await freshUrl();
      store = await openEventStore(url);
      await appendBankEvents(store, 200, 50);
      running = startProjections(store, bankProjections({ poisoned: () => poisoned }), { retryDelaysMs: [5, 5], pollIntervalMs: 50 });
      await waitCaughtUp(store);
    });
    after(async () => {
      await running.stop();
      await store.close();
    });

    test('status prints each projection\'s version, state, position, head and lag, aligned; --json one record each', async () => {
      const human = lines((await ok('status')).stdout);
      assert.deepEqual(human.map((line) => line.split(/\s+/)), [
        ['NAME', 'VERSION', 'STATE', 'POSITION', 'HEAD', 'LAG', 'ERROR'],
        ['balances', '1', 'running', '200', '200', '0'],
        ['event_types', '1', 'running', '200', '200', '0'],
      ]);
      assert.equal(human[1]!.indexOf('running'), human[0]!.indexOf('STATE'));
      const json = records((await ok('status', '--json')).stdout);
      assert.deepEqual(json.map(({ updatedAt: _, ...rest }) => rest), [
        { name: 'balances', version: 1, state: 'running', position: 200, head: 200, lag: 0, error: null, errorPosition: null },
        { name: 'event_types', version: 1, state: 'running', position: 200, head: 200, lag: 0, error: null, errorPosition: null },
      ]);
      assert.ok(Date.now() - Date.parse(String(json[0]!.updatedAt)) < 60_000);
    });

    test('rebuild builds the tables afresh with progress on stderr, swaps them in, and leaves the same rows, running', async () => {
      const before = await readModelRows(store);
      const { stdout, stderr } = await ok('rebuild', 'balances');
      assert.match(stdout, /^rebuilt balances: 200 events up to position 200 in \d+\.\d s \(\d+ events\/s\), swapped in\n$/);
      // stderr is a pipe here, so plain lines, never a bar's control characters.
      assert.match(lines(stderr).at(-1)!, /^rebuilding balances: 100%, 200 events, \d+ events\/s, ETA 0s$/);
      assert.ok(!stderr.includes('\r') && !stderr.includes('\x1b'), 'no carriage returns or escape sequences');
      assert.deepEqual(await readModelRows(store), before);
      assert.equal((await balances()).state, 'running');

      const json = records((await ok('rebuild', 'event_types', '--json')).stdout);
      assert.deepEqual({ ...json[0], seconds: undefined, eventsPerSecond: undefined }, { name: 'event_types', events: 200, position: 200, seconds: undefined, eventsPerSecond: undefined });
    });

    let poison: number;
    test('a poison event stops balances in failed, at that event, with the error; event_types goes on', async () => {
      poison = (await store.appendToStream('account-x', [{ type: 'Poisoned', data: {} }])).lastPosition;
      const { lastPosition } = await store.appendToStream('account-y', [{ type: 'Deposited', data: { account: 'acc-9', amount: 5 } }]);
      await waitUntil('balances failed', async () => (await balances()).state === 'failed');
      await waitUntil('event_types caught up', async () => (await bankStatus(store)).every((s) => s.name !== 'event_types' || s.position === lastPosition));

      const human = lines((await ok('status')).stdout);
      assert.deepEqual(human[1]!.split(/\s+/).slice(0, 6), ['balances', '1', 'failed', String(poison - 1), String(lastPosition), String(lastPosition - poison + 1)]);
      assert.match(human[1]!, new RegExp(`at position ${poison}: cannot apply Poisoned at position ${poison}$`));
      assert.deepEqual(human[2]!.split(/\s+/), ['event_types', '1', 'running', String(lastPosition), String(lastPosition), '0']);
      const [failed] = records((await ok('status', '--json')).stdout);
      assert.equal(failed!.errorPosition, poison);
      assert.equal(failed!.error, `cannot apply Poisoned at position ${poison}`);
    });

    test('retry sets it running again; with the bug still there it fails again at the same event', async () => {
      const failedAt = (await balances()).updatedAt.getTime();
      const { stdout } = await ok('retry', 'balances');
      assert.equal(stdout, `projection balances is running again; it retries the event at position ${poison}\n`);
      await waitUntil('balances failed again', async () => {
        const status = await balances();
        return status.state === 'failed' && status.updatedAt.getTime() > failedAt;
      });
      assert.equal((await balances()).errorPosition, poison);
    });

    test('skip with another position, or retry of a running projection, is refused and changes nothing', async () => {
      const before = await bankStatus(store);
      assertRefused(await projections('skip', 'balances', '--position', String(poison + 1)), new RegExp(`failed at position ${poison}, not ${poison + 1}`));
      assertRefused(await projections('retry', 'event_types'), /projection event_types has not failed \(it is running\)/);
      assert.deepEqual(await bankStatus(store), before);
    });

    test('skip moves past the poison event; the events after it are applied', async () => {
      const { stdout } = await ok('skip', 'balances', '--position', String(poison), '--json');
      assert.deepEqual(records(stdout), [{ name: 'balances', state: 'running', skipped: poison }]);
      await waitCaughtUp(store);
      const rows = await readModelRows(store);
      assert.deepEqual(rows.balances.find((r) => (r as { account: string }).account === 'acc-9'), { account: 'acc-9', balance: 5, events: 1, last_position: poison + 1 });
    });

    test('retry after the bug is fixed applies the event and goes on', async () => {
      const { lastPosition } = await store.appendToStream('account-x', [{ type: 'Poisoned', data: {} }]);
      await waitUntil('balances failed', async () => (await balances()).state === 'failed');
      poisoned = false;
      await ok('retry', 'balances');
      await waitCaughtUp(store);
      assert.equal((await balances()).position, lastPosition);
    });
  });
}

operatorStory('SQLite', async () => `sqlite:${join(dir, 'bank.db')}`);
const postgres = postgresTestUrl();
if (postgres) {
  after(() => postgres.dropAll());
  operatorStory('PostgreSQL', postgres.freshUrl);
} else {
  test('eventline projections on PostgreSQL', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
}

describe('eventline projections, given bad input, refuses it with exit 2 before opening the store', { concurrency: 4 }, () => {
  const untouched = join(dir, 'untouched.db');
  writeFileSync(join(dir, 'empty.mjs'), 'export const projections = [];\n');
  writeFileSync(join(dir, 'default-export.mjs'), `export { projections as default } from ${JSON.stringify(join(process.cwd(), BANK))};\n`);

  const cases: [string, string[], RegExp][] = [
    ['no action', ['projections'], /projections needs <action>/],
    ['an unknown action', ['projections', 'replay', '--projections', BANK], /unknown action "replay" \(use status, retry, skip or rebuild\)/],
    ['no --projections', ['projections', 'status'], /projections needs --projections <module>/],
    ['a module that cannot be loaded', ['projections', 'status', '--projections', 'no/such.ts'], /--projections: cannot load "no\/such.ts": Cannot find module/],
    ['a module that exports no projections', ['projections', 'status', '--projections', 'src/index.ts'], /exports no projections/],
    ['a module whose array is empty', ['projections', 'status', '--projections', join(dir, 'empty.mjs')], /exports no projections/],
    ['an unknown projection', ['projections', 'retry', 'balance', '--projections', BANK], /no projection is called "balance" \(the module has balances, event_types\)/],
    ['retry without a name', ['projections', 'retry', '--projections', BANK], /projections retry needs <name>/],
    ['status with a name', ['projections', 'status', 'balances', '--projections', BANK], /projections status: unexpected argument "balances"/],
    ['skip without --position', ['projections', 'skip', 'balances', '--projections', BANK], /projections skip needs --position <p>/],
    ['skip with a word for --position', ['projections', 'skip', 'balances', '--position', 'last', '--projections', BANK], /--position must be a whole number >= 1 \(got "last"\)/],
    ['--force on skip', ['projections', 'skip', 'balances', '--position', '3', '--force', '--projections', BANK], /--force is not an option of projections skip/],
    ['--position on rebuild', ['projections', 'rebuild', 'balances', '--position', '3', '--projections', BANK], /--position is not an option of projections rebuild/],
  ];
  for (const [name, args, message] of cases) {
    test(`${name}: exit 2, no store opened`, async () => {
      assertRefused(await eventline(['--store', `sqlite:${untouched}`, ...args]), message);
      assert.equal(existsSync(untouched), false, 'no store was opened');
    });
  }

  test('the default export works as well as `projections`, and help lists the command', async () => {
    const result = await eventline(['--store', 'memory:', 'projections', 'status', '--json', '--projections', join(dir, 'default-export.mjs')]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(records(result.stdout).map((r) => r.name), ['balances', 'event_types']);
    const help = await eventline(['--help']);
    assert.match(help.stdout, /\n {2}projections +Show the projections' state, and retry, skip or rebuild one\n/);
  });
});
