// End-to-end: the eventline CLI as a user runs it, a real process on a real SQLite
// file: each command's output, the exit code and one-line message of every kind of
// bad input, and proof that a refused command wrote nothing.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `eventline <args>` as a child process, from the sources, with no EVENTLINE_* from our environment. */
function eventline(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdin?: string; bin?: string } = {}): Promise<Result> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EVENTLINE_')));
  const entry = options.bin === undefined ? ['--import', 'tsx', 'src/cli/main.ts'] : [options.bin];
  const child = spawn(process.execPath, [...entry, ...args], { cwd: ROOT, env: { ...env, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

function records(text: string): Record<string, unknown>[] {
  return lines(text).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Exit code, one line on stderr matching `message`, and nothing on stdout. */
function assertRefused(result: Result, exitCode: number, message: RegExp): void {
  assert.equal(result.code, exitCode, `exit code; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '', 'nothing on stdout');
  assert.equal(lines(result.stderr).length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(result.stderr, /^eventline: /);
  assert.match(result.stderr, message);
}

const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('eventline, told the story of two orders', () => {
  const store = `sqlite:${join(dir, 'cli.db')}`;

  test('append prints the new version, the position and the event id', async () => {
    const first = await eventline(['--store', store, 'append', 'order-1', '--type', 'OrderPlaced', '--data', '{"sku":"A-1","qty":2}']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^appended OrderPlaced to order-1: version 1, position 1, eventId [0-9a-f-]{36}\n$/);

    // Global options after the command, and --json: one object.
    const second = await eventline(['append', 'order-1', '--type', 'OrderShipped', '--data', '{"carrier":"DHL"}', '--expected-version', '1', '--store', store, '--json']);
    assert.equal(second.code, 0, second.stderr);
    const result = JSON.parse(second.stdout) as Record<string, unknown>;
    assert.deepEqual({ ...result, eventId: undefined }, { nextExpectedVersion: 2, lastPosition: 2, eventId: undefined });
    assert.match(String(result.eventId), /^[0-9a-f]{8}-[0-9a-f]{4}-7/);

    const third = await eventline(['--store', store, '--json', 'append', 'order-2', '--type', 'OrderPlaced', '--data', '{"sku":"B-7","qty":1}', '--metadata', '{"user":"ann"}', '--expected-version', 'no_stream']);
    assert.deepEqual({ ...JSON.parse(third.stdout), eventId: undefined }, { nextExpectedVersion: 1, lastPosition: 3, eventId: undefined });
  });

  test('read prints one aligned line per event of the stream', async () => {
    const { code, stdout } = await eventline(['--store', store, 'read', 'order-1']);
    assert.equal(code, 0);
    assert.deepEqual(lines(stdout), [
      'POSITION  STREAM   VERSION  TYPE          DATA',
      '       1  order-1        1  OrderPlaced   {"sku":"A-1","qty":2}',
      '       2  order-1        2  OrderShipped  {"carrier":"DHL"}',
    ]);
  });

  test('read --json prints one event per line, recordedAt as an ISO string', async () => {
    const { code, stdout } = await eventline(['--store', store, 'read', 'order-2', '--json']);
    assert.equal(code, 0);
    const [event, ...others] = records(stdout);
    assert.equal(others.length, 0);
    assert.deepEqual({ ...event, eventId: undefined, recordedAt: undefined }, {
      streamId: 'order-2',
      version: 1,
      position: 3,
      eventId: undefined,
      type: 'OrderPlaced',
      data: { sku: 'B-7', qty: 1 },
      metadata: { user: 'ann' },
      recordedAt: undefined,
    });
    assert.equal(new Date(String(event!.recordedAt)).toISOString(), event!.recordedAt);
  });

  test('read --backward --max-count and --from-version choose the events', async () => {
    const last = await eventline(['--store', store, '--json', 'read', 'order-1', '--backward', '--max-count', '1']);
    assert.deepEqual(records(last.stdout).map((e) => e.version), [2]);
    const fromTwo = await eventline(['--store', store, '--json', 'read', 'order-1', '--from-version', '2']);
    assert.deepEqual(records(fromTwo.stdout).map((e) => e.type), ['OrderShipped']);
  });

  test('read-all prints every stream in position order', async () => {
    const { code, stdout } = await eventline(['--store', store, 'read-all']);
    assert.equal(code, 0);
    assert.deepEqual(lines(stdout), [
      'POSITION  STREAM   VERSION  TYPE          DATA',
      '       1  order-1        1  OrderPlaced   {"sku":"A-1","qty":2}',
      '       2  order-1        2  OrderShipped  {"carrier":"DHL"}',
      '       3  order-2        1  OrderPlaced   {"sku":"B-7","qty":1}',
    ]);
  });

  test('read-all --json filters by type, stream prefix, position and count', async () => {
    const placed = await eventline(['--store', store, '--json', 'read-all', '--type', 'OrderPlaced']);
    assert.deepEqual(records(placed.stdout).map((e) => e.position), [1, 3]);
    const twoTypes = await eventline(['--store', store, '--json', 'read-all', '--type', 'OrderPlaced', '--type', 'OrderShipped', '--stream-prefix', 'order-1']);
    assert.deepEqual(records(twoTypes.stdout).map((e) => e.position), [1, 2]);
    const page = await eventline(['--store', store, '--json', 'read-all', '--after', '1', '--limit', '1']);
    assert.deepEqual(records(page.stdout).map((e) => e.position), [2]);
  });

  test('streams lists every stream with its version', async () => {
    const human = await eventline(['--store', store, 'streams']);
    assert.equal(human.code, 0);
    assert.deepEqual(lines(human.stdout), ['STREAM   VERSION', 'order-1        2', 'order-2        1']);
    const json = await eventline(['--store', store, 'streams', '--json']);
    assert.deepEqual(records(json.stdout), [
      { streamId: 'order-1', version: 2 },
      { streamId: 'order-2', version: 1 },
    ]);
  });

  test('stats counts events and streams and gives the size on disk', async () => {
    const human = await eventline(['--store', store, 'stats']);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^store {4}sqlite\nevents {3}3\nstreams {2}2\nsize {5}\d+\.\d (KiB|MiB) \(\d+ bytes\)\n$/);
    const json = JSON.parse((await eventline(['--store', store, 'stats', '--json'])).stdout) as Record<string, number>;
    assert.deepEqual({ ...json, bytes: undefined }, { events: 3, streams: 2, bytes: undefined, lastPrune: null });
    assert.ok(json.bytes! > 0);
  });

  test('the store defaults to EVENTLINE_STORE', async () => {
    const { stdout } = await eventline(['stats', '--json'], { env: { EVENTLINE_STORE: store } });
    assert.equal((JSON.parse(stdout) as { events: number }).events, 3);
  });

  test('an append retried with the same --event-id is stored once', async () => {
    const eventId = '0190a8e4-7f3b-7c1e-9a2d-5b6c7d8e9f00';
    const args = ['--store', store, '--json', 'append', 'order-3', '--type', 'OrderPlaced', '--data', '{}', '--event-id', eventId];
    const first = await eventline(args);
    const retry = await eventline(args);
    assert.equal(retry.code, 0, retry.stderr);
    assert.deepEqual(JSON.parse(retry.stdout), JSON.parse(first.stdout));
    assert.deepEqual(JSON.parse(first.stdout), { nextExpectedVersion: 1, lastPosition: 4, eventId });
  });

  test('nothing found gets a friendly line, and no output with --json', async () => {
    assert.equal((await eventline(['--store', store, 'read', 'order-9'])).stdout, "no events in stream 'order-9'\n");
    assert.equal((await eventline(['--store', store, 'read-all', '--type', 'Nope'])).stdout, 'no events of type Nope\n');
    assert.equal((await eventline(['--store', 'memory:', 'read-all'])).stdout, 'the store has no events\n');
    assert.equal((await eventline(['--store', 'memory:', 'streams'])).stdout, 'the store has no streams\n');
    const json = await eventline(['--store', store, '--json', 'read', 'order-9']);
    assert.deepEqual([json.code, json.stdout], [0, '']);
  });
});

// Refusals are independent and must leave the store as it was, so they run side by side.
describe('eventline, given a store that does not exist', () => {
  for (const command of [['stats'], ['read', 'cart-1'], ['read-all'], ['streams']]) {
    test(`${command[0]} refuses it with exit 2, and no file or folder appears`, async () => {
      const folder = join(dir, `typo-${command[0]}`);
      const result = await eventline(['--store', `sqlite:${join(folder, 'store.db')}`, ...command]);
      assertRefused(result, 2, /cannot open store 'sqlite:.*': there is no store there/);
      assert.equal(existsSync(folder), false);
    });
  }

  test('append creates it, folder and all', async () => {
    const file = join(dir, 'new-folder', 'store.db');
    const result = await eventline(['--store', `sqlite:${file}`, 'append', 'cart-1', '--type', 'ItemAdded', '--data', '{}']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(file), true);
  });
});

describe('eventline, given bad input, refuses it and writes nothing', { concurrency: 4 }, () => {
  const store = `sqlite:${join(dir, 'refusals.db')}`;
  const untouched = join(dir, 'untouched.db');
  let baseline: string;

  async function assertUnchanged(): Promise<void> {
    const { stdout } = await eventline(['--store', store, '--json', 'read-all']);
    assert.equal(stdout, baseline, 'the events are the same as before');
  }

  before(async () => {
    for (const [stream, version] of [['cart-1', 'no_stream'], ['cart-1', '1']] as const) {
      const { code } = await eventline(['--store', store, 'append', stream, '--type', 'ItemAdded', '--data', '{"sku":"A"}', '--expected-version', version]);
      assert.equal(code, 0);
    }
    baseline = (await eventline(['--store', store, '--json', 'read-all'])).stdout;
    assert.equal(records(baseline).length, 2);
  });

  // Each is refused before any store is opened, so the store file is never even created.
  const usageErrors: [string, string[], RegExp][] = [
    ['no command', [], /missing command/],
    ['an unknown command', ['frob'], /unknown command "frob"/],
    ['help on an unknown command', ['help', 'frob'], /unknown command "frob"/],
    ['an unknown option', ['read', 'cart-1', '--frob'], /unknown option --frob/],
    ['an unknown option before the command', ['--frob', 'stats'], /unknown option --frob/],
    ['a missing stream', ['read'], /read needs <stream>/],
    ['an extra argument', ['stats', 'extra'], /unexpected argument "extra"/],
    ['a missing --type', ['append', 'cart-1', '--data', '{}'], /append needs --type/],
    ['a missing --data', ['append', 'cart-1', '--type', 'T'], /append needs --data/],
    ['an option without its value', ['read-all', '--type'], /--type needs a value/],
    ['an option given twice', ['append', 'cart-1', '--type', 'A', '--type', 'B', '--data', '{}'], /--type given more than once/],
    ['invalid JSON in --data', ['append', 'cart-1', '--type', 'T', '--data', '{sku:1}'], /--data is not valid JSON/],
    [
      'an integer in --data beyond what a number holds exactly',
      ['append', 'cart-1', '--type', 'T', '--data', '{"note":"9007199254740993 in a string is fine","n":[1,12345678901234567890]}'],
      /--data: no JavaScript number holds 12345678901234567890 exactly, and it would be stored as 12345678901234567000; write it as a string/,
    ],
    ['an integer in --data of 400 digits', ['append', 'cart-1', '--type', 'T', '--data', `{"n":1${'0'.repeat(400)}}`], /--data: no JavaScript number holds 10{400} exactly, and it would be stored as Infinity/],
    ['--data from a missing file', ['append', 'cart-1', '--type', 'T', '--data', '@/no/such/file.json'], /--data: cannot read "\/no\/such\/file.json"/],
    ['metadata that is not an object', ['append', 'cart-1', '--type', 'T', '--data', '{}', '--metadata', '[1]'], /--metadata must be a JSON object \(got an array\)/],
    ['an invalid --event-id', ['append', 'cart-1', '--type', 'T', '--data', '{}', '--event-id', 'abc'], /--event-id must be a UUID \(got "abc"\)/],
    [
      'an invalid --expected-version',
      ['append', 'cart-1', '--type', 'T', '--data', '{}', '--expected-version', 'x'],
      /^eventline: --expected-version must be a whole number or any, no_stream, stream_exists \(got "x"\)\n$/,
    ],
    ['a negative --expected-version', ['append', 'cart-1', '--type', 'T', '--data', '{}', '--expected-version=-1'], /--expected-version must be a whole number .*\(got "-1"\)/],
    ['a fractional --max-count', ['read', 'cart-1', '--max-count', '1.5'], /--max-count must be a whole number >= 1 \(got "1.5"\)/],
    ['a zero --limit', ['read-all', '--limit', '0'], /--limit must be a whole number >= 1 \(got "0"\)/],
    ['a word for --after', ['read-all', '--after', 'ten'], /--after must be a whole number >= 0 \(got "ten"\)/],
  ];

  for (const [name, args, message] of usageErrors) {
    test(`${name}: exit 2`, async () => {
      assertRefused(await eventline(['--store', `sqlite:${untouched}`, ...args]), 2, message);
      assert.equal(existsSync(untouched), false, 'no store was opened');
    });
  }

  // These reach the store, which refuses them.
  const storeErrors: [string, string[], number, RegExp][] = [
    ['an empty stream id', ['append', '', '--type', 'T', '--data', '{}'], 2, /streamId: must not be empty/],
    ['an empty type', ['append', 'cart-1', '--type', '', '--data', '{}'], 2, /events\[0\]\.type: must not be empty/],
    ['an empty --stream-prefix', ['read-all', '--stream-prefix', ''], 2, /streamPrefix: must not be empty/],
    ['a stale --expected-version', ['append', 'cart-1', '--type', 'T', '--data', '{}', '--expected-version', '1'], 3, /stream 'cart-1' expected version 1 but is at 2/],
    ['no_stream on a stream that exists', ['append', 'cart-1', '--type', 'T', '--data', '{}', '--expected-version', 'no_stream'], 3, /expected version no_stream but is at 2/],
  ];

  for (const [name, args, exitCode, message] of storeErrors) {
    test(`${name}: exit ${exitCode}`, async () => {
      assertRefused(await eventline(['--store', store, ...args]), exitCode, message);
      await assertUnchanged();
    });
  }

  test('an event over the size limit: exit 2, EVENT_TOO_LARGE', async () => {
    const file = join(dir, 'large.json');
    writeFileSync(file, JSON.stringify({ text: 'x'.repeat(1024 * 1024) }));
    const result = await eventline(['--store', store, '--json', 'append', 'cart-1', '--type', 'T', '--data', `@${file}`]);
    assert.equal(result.code, 2);
    const error = JSON.parse(result.stderr) as { error: string; details: { bytes: number; limit: number } };
    assert.equal(error.error, 'EVENT_TOO_LARGE');
    assert.equal(error.details.limit, 1024 * 1024);
    assert.ok(error.details.bytes > error.details.limit);
    await assertUnchanged();
  });

  test('an event id stored in another stream: exit 3, DUPLICATE_EVENT', async () => {
    const eventId = String(records(baseline)[0]!.eventId);
    const result = await eventline(['--store', store, 'append', 'cart-2', '--type', 'T', '--data', '{}', '--event-id', eventId]);
    assertRefused(result, 3, new RegExp(`eventId ${eventId} is already stored in stream 'cart-1'`));
    await assertUnchanged();
  });

  test('a concurrency conflict with --json gives expected and actual', async () => {
    const result = await eventline(['--store', store, '--json', 'append', 'cart-1', '--type', 'T', '--data', '{}', '--expected-version', '5']);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    assert.deepEqual(JSON.parse(result.stderr), {
      error: 'CONCURRENCY_CONFLICT',
      message: "stream 'cart-1' expected version 5 but is at 2",
      details: { streamId: 'cart-1', expected: 5, actual: 2 },
    });
    await assertUnchanged();
  });

  test('with --json every error is one line of JSON with a code', async () => {
    const cases: [string[], string][] = [
      [['frob'], 'USAGE'],
      [['append', 'cart-1', '--type', 'T', '--data', 'nope'], 'USAGE'],
      [['append', 'cart-1', '--type', '', '--data', '{}'], 'VALIDATION_FAILED'],
    ];
    for (const [args, code] of cases) {
      const result = await eventline(['--store', store, '--json', ...args]);
      assert.equal(result.code, 2);
      assert.equal(lines(result.stderr).length, 1);
      const error = JSON.parse(result.stderr) as { error: string; message: string };
      assert.equal(error.error, code);
      assert.ok(error.message.length > 0);
    }
    await assertUnchanged();
  });

  test('a bad store URL: exit 2, and a password in it is not printed', async () => {
    assertRefused(await eventline(['--store', 'nosuch:thing', 'stats']), 2, /cannot open store 'nosuch:thing': unknown kind of store/);
    assertRefused(await eventline(['--store', 'sqlite:', 'stats']), 2, /a SQLite URL needs a file path/);
    assertRefused(await eventline(['--store', `${store}?synchronous=sometimes`, 'stats']), 2, /synchronous: must be one of normal, full/);
    const secret = await eventline(['--store', 'postgres://ann:s3cret@127.0.0.1:1/db', '--json', 'stats']);
    assert.equal(secret.code, 2);
    assert.equal((JSON.parse(secret.stderr) as { error: string }).error, 'STORE_OPEN_FAILED');
    assert.doesNotMatch(secret.stderr, /s3cret/);
  });
});

describe('eventline help and version', () => {
  test('--help, -h and help list the commands; help <command> shows its options', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const { code, stdout } = await eventline(args);
      assert.equal(code, 0);
      assert.match(stdout, /^Usage: eventline \[--store <url>\] \[--json\] <command>/);
      for (const command of ['append', 'read', 'read-all', 'streams', 'stats']) assert.match(stdout, new RegExp(`\\n  ${command} `));
    }
    for (const args of [['help', 'append'], ['append', '--help']]) {
      const { code, stdout } = await eventline(args);
      assert.equal(code, 0);
      assert.match(stdout, /^Usage: eventline .* append <stream> --type <type> --data <json>/);
      assert.match(stdout, /--expected-version <v>/);
    }
  });

  test('--version prints the package version', async () => {
    assert.deepEqual(await eventline(['--version']), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  test('the built CLI runs', async (t) => {
    const bin = join(ROOT, 'dist/src/cli/main.js');
    if (!existsSync(bin)) return t.skip('dist/src/cli/main.js is not built; run npm run build');
    assert.deepEqual(await eventline(['--version'], { bin }), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const stats = await eventline(['--store', 'memory:', '--json', 'stats'], { bin });
    assert.deepEqual(JSON.parse(stats.stdout), { events: 0, streams: 0, bytes: 0, lastPrune: null });
  });
});

describe('eventline run() in-process', () => {
  function collect(): { write(text: string): void; text(): string } {
    let text = '';
    return { write: (chunk) => void (text += chunk), text: () => text };
  }

  test('runs a command against writers and returns the exit code', async () => {
    const stdout = collect();
    const code = await run(['--store', 'memory:', 'append', 's', '--type', 'T', '--data', '1', '--json'], { stdout, stderr: collect() });
    assert.equal(code, 0);
    assert.deepEqual({ ...JSON.parse(stdout.text()), eventId: undefined }, { nextExpectedVersion: 1, lastPosition: 1, eventId: undefined });
  });

  test('reads --data from standard input with @-', async () => {
    const stdout = collect();
    const code = await run(['--store', 'memory:', 'append', 's', '--type', 'T', '--data', '@-'], {
      stdout,
      stderr: collect(),
      readStdin: async () => '{"from":"stdin"}',
    });
    assert.equal(code, 0);
    assert.match(stdout.text(), /^appended T to s: version 1/);
  });

  test('an unexpected failure: exit 1, the message only, the stack with EVENTLINE_DEBUG', async () => {
    const broken = {
      write() {
        throw new Error('disk on fire');
      },
    };
    const quiet = collect();
    assert.equal(await run(['--store', 'memory:', 'stats'], { stdout: broken, stderr: quiet, env: {} }), 1);
    assert.equal(quiet.text(), 'eventline: disk on fire\n');
    const debug = collect();
    assert.equal(await run(['--store', 'memory:', 'stats'], { stdout: broken, stderr: debug, env: { EVENTLINE_DEBUG: '1' } }), 1);
    assert.match(debug.text(), /^eventline: disk on fire\nError: disk on fire\n\s+at /);
  });
});

describe('eventline on PostgreSQL', () => {
  test('the story runs the same', async (t) => {
    const url = process.env.EVENTLINE_POSTGRES_URL;
    if (!url) {
      if (process.env.CI === 'true') assert.fail('EVENTLINE_POSTGRES_URL must be set in CI');
      t.diagnostic('EVENTLINE_POSTGRES_URL is not set: the PostgreSQL test is skipped');
      return t.skip('set EVENTLINE_POSTGRES_URL to run it');
    }
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`;
    t.after(async () => {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    });

    // Only append makes the schema.
    assertRefused(await eventline(['--store', store, 'stats']), 2, /there is no store there/);
    const appended = await eventline(['--store', store, '--json', 'append', 'order-1', '--type', 'OrderPlaced', '--data', '{"sku":"A-1"}']);
    assert.equal(appended.code, 0, appended.stderr);
    assert.deepEqual({ ...JSON.parse(appended.stdout), eventId: undefined }, { nextExpectedVersion: 1, lastPosition: 1, eventId: undefined });
    const read = await eventline(['--store', store, 'read', 'order-1']);
    assert.match(lines(read.stdout)[1] ?? '', /^ +1 {2}order-1 +1 {2}OrderPlaced {2}\{"sku":"A-1"\}$/);
    const all = await eventline(['--store', store, '--json', 'read-all']);
    assert.deepEqual(records(all.stdout).map((e) => [e.streamId, e.version, e.type]), [['order-1', 1, 'OrderPlaced']]);
    assert.deepEqual(records((await eventline(['--store', store, '--json', 'streams'])).stdout), [{ streamId: 'order-1', version: 1 }]);
    const conflict = await eventline(['--store', store, 'append', 'order-1', '--type', 'T', '--data', '{}', '--expected-version', 'no_stream']);
    assertRefused(conflict, 3, /expected version no_stream but is at 1/);
    const stats = JSON.parse((await eventline(['--store', store, '--json', 'stats'])).stdout) as { events: number; streams: number };
    assert.deepEqual([stats.events, stats.streams], [1, 1]);
  });
});
