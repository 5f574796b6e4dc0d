// End-to-end: `eventline snapshots` as a user runs it, a real process on a real SQLite
// file: taking a snapshot with the blog's decider, listing and deleting, and every
// kind of bad input refused with exit 2, one line, and nothing written.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventline, lines, ok, records, type Result } from '../fixtures/cli.js';


const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-snapshots-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = `sqlite:${join(dir, 'blog.db')}`;
const BLOG = 'examples/blog/index.ts';

async function append(stream: string, type: string, data: object): Promise<void> {
  await ok(['--store', store, 'append', stream, '--type', type, '--data', JSON.stringify(data)]);
}

before(async () => {
  await append('post-hello', 'PostWasCreated', { postId: 'hello', title: 'Hello', body: 'The first post.', authorId: 'ada' });
  await append('post-hello', 'PostWasPublished', { postId: 'hello' });
  await append('post-second', 'PostWasCreated', { postId: 'second', title: 'Second', body: 'Another.', authorId: 'bo' });
});

describe('eventline snapshots, told the story of two posts', () => {
  test('a store without snapshots says so, and lists nothing with --json', async () => {
    assert.equal(await ok(['--store', store, 'snapshots', 'list']), 'the store has no snapshots\n');
    assert.equal(await ok(['--store', store, 'snapshots', 'list', '--json']), '');
  });

  test('take folds the stream with the blog\'s decider and saves its state at the stream\'s version', async () => {
    const human = await ok(['--store', store, 'snapshots', 'take', 'post-hello', '--decider', BLOG]);
    assert.match(human, /^took a snapshot of post-hello at version 2 \(schema 1, \d+ bytes\)\n$/);
    const json = records(await ok(['--store', store, '--json', 'snapshots', 'take', 'post-second', '--decider', BLOG]));
    assert.deepEqual({ ...json[0], bytes: undefined }, { streamId: 'post-second', version: 1, schemaVersion: 1, bytes: undefined, saved: true });
  });

  test('list prints one aligned line per snapshot, and --json one record each', async () => {
    const human = lines(await ok(['--store', store, 'snapshots', 'list']));
    assert.equal(human.length, 3);
    assert.match(human[0]!, /^STREAM\s+VERSION\s+SCHEMA\s+BYTES\s+TAKEN$/);
    assert.match(human[1]!, /^post-hello\s+2\s+1\s+\d+\s+\d{4}-\d\d-\d\dT/);
    const json = records(await ok(['--store', store, 'snapshots', 'list', '--json', '--stream-prefix', 'post-h']));
    assert.deepEqual(json.map((s) => [s.streamId, s.version, s.schemaVersion]), [['post-hello', 2, 1]]);
    assert.ok(Number(json[0]!.bytes) > 0);
    assert.equal(new Date(String(json[0]!.takenAt)).toISOString(), json[0]!.takenAt);
    assert.equal(await ok(['--store', store, 'snapshots', 'list', '--stream-prefix', 'order-']), "no snapshots of streams starting with 'order-'\n");
  });

  test('take again after more events moves the snapshot to the new version; --schema-version overrides', async () => {
    await append('post-second', 'PostWasPublished', { postId: 'second' });
    await ok(['--store', store, 'snapshots', 'take', 'post-second', '--decider', BLOG]);
    await ok(['--store', store, 'snapshots', 'take', 'post-hello', '--decider', BLOG, '--schema-version', '2']);
    const listed = records(await ok(['--store', store, '--json', 'snapshots', 'list']));
    assert.deepEqual(listed.map((s) => [s.streamId, s.version, s.schemaVersion]), [['post-hello', 2, 2], ['post-second', 2, 1]]);
  });

  test('--decider takes any ES module path from the current folder, with the decider as its default export', async () => {
    writeFileSync(join(dir, 'count.mjs'), 'export default { initialState: () => 0, evolve: (n) => n + 1, snapshotSchemaVersion: 9 };\n');
    const result = await eventline(['--store', store, '--json', 'snapshots', 'take', 'post-second', '--decider', './count.mjs'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(records(result.stdout)[0], { streamId: 'post-second', version: 2, schemaVersion: 9, bytes: 1, saved: true });
  });

  test('delete removes a snapshot and says whether there was one; the events stay', async () => {
    assert.equal(await ok(['--store', store, 'snapshots', 'delete', 'post-second']), 'deleted the snapshot of post-second\n');
    assert.equal(await ok(['--store', store, 'snapshots', 'delete', 'post-second']), "stream 'post-second' has no snapshot\n");
    assert.deepEqual(records(await ok(['--store', store, '--json', 'snapshots', 'delete', 'post-second'])), [{ streamId: 'post-second', deleted: false }]);
    assert.equal(records(await ok(['--store', store, '--json', 'read', 'post-second'])).length, 2);
  });
});

describe('eventline snapshots, given bad input, refuses it with exit 2 and writes nothing', { concurrency: 4 }, () => {
  const refusals = `sqlite:${join(dir, 'refusals.db')}`;
  const untouched = join(dir, 'untouched.db');
  let baseline: string;

  before(async () => {
    await ok(['--store', refusals, 'append', 'post-a', '--type', 'PostWasCreated', '--data', '{"postId":"a","title":"A","body":"","authorId":"x"}']);
    await ok(['--store', refusals, 'snapshots', 'take', 'post-a', '--decider', BLOG]);
    baseline = await ok(['--store', refusals, '--json', 'snapshots', 'list']);
  });

  function assertRefused(result: Result, message: RegExp): void {
    assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
    assert.equal(result.stdout, '', 'nothing on stdout');
    assert.equal(lines(result.stderr).length, 1, `one line on stderr, got: ${result.stderr}`);
    assert.match(result.stderr, message);
  }

  const beforeTheStore: [string, string[], RegExp][] = [
    ['no action', ['snapshots'], /snapshots needs <action>/],
    ['an unknown action', ['snapshots', 'frob'], /unknown action "frob" \(use list, take or delete\)/],
    ['take without a stream', ['snapshots', 'take'], /snapshots take needs <stream>/],
    ['delete without a stream', ['snapshots', 'delete'], /snapshots delete needs <stream>/],
    ['list with a stream', ['snapshots', 'list', 'post-a'], /snapshots list: unexpected argument "post-a"/],
    ['an option of another action', ['snapshots', 'delete', 'post-a', '--decider', BLOG], /--decider is not an option of snapshots delete/],
    ['take without --decider', ['snapshots', 'take', 'post-a'], /snapshots take needs --decider <module>/],
    ['a --decider that does not exist', ['snapshots', 'take', 'post-a', '--decider', 'no/such.ts'], /--decider: cannot load "no\/such.ts": Cannot find module/],
    ['a --decider without a decider', ['snapshots', 'take', 'post-a', '--decider', 'src/index.ts'], /exports no decider/],
    ['a decider without a schema version', ['snapshots', 'take', 'post-a', '--decider', 'examples/blog/decider.ts'], /exports no decider/],
    ['a word for --schema-version', ['snapshots', 'take', 'post-a', '--decider', BLOG, '--schema-version', 'two'], /--schema-version must be a whole number >= 0 \(got "two"\)/],
    ['a --schema-version over 2^31 - 1', ['snapshots', 'take', 'post-a', '--decider', BLOG, '--schema-version', '2147483648'], /--schema-version must be at most 2147483647/],
    ['a stream id of 256 characters', ['snapshots', 'delete', 'p'.repeat(256)], /stream: must be at most 255 characters/],
    ['an empty --stream-prefix', ['snapshots', 'list', '--stream-prefix', ''], /stream-prefix: must not be empty/],
  ];

  for (const [name, args, message] of beforeTheStore) {
    test(`${name}: exit 2, no store opened`, async () => {
      assertRefused(await eventline(['--store', `sqlite:${untouched}`, ...args]), message);
      assert.equal(existsSync(untouched), false, 'no store was opened');
    });
  }

  test('take of a stream with no events: exit 2, and no snapshot is written', async () => {
    assertRefused(await eventline(['--store', refusals, 'snapshots', 'take', 'post-none', '--decider', BLOG]), /'post-none' has no events/);
    assert.equal(await ok(['--store', refusals, '--json', 'snapshots', 'list']), baseline);
  });

  test('with --json an error is one JSON line with its code', async () => {
    const result = await eventline(['--store', refusals, '--json', 'snapshots', 'take', 'post-a', '--decider', 'no/such.ts']);
    assert.equal(result.code, 2);
    assert.equal((JSON.parse(result.stderr) as { error: string }).error, 'USAGE');
    assert.equal(await ok(['--store', refusals, '--json', 'snapshots', 'list']), baseline);
  });

  test('help snapshots shows the three actions', async () => {
    const help = await ok(['help', 'snapshots']);
    assert.match(help, /^Usage: eventline .* snapshots list \[--stream-prefix <prefix>\] \| take <stream> --decider <module>/);
    for (const action of ['list', 'take <stream>', 'delete <stream>']) assert.match(help, new RegExp(`\\n  ${action} `));
  });
});
