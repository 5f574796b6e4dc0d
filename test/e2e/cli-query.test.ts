// End-to-end: `eventline query as-of` as a user runs it, a real process on a real
// SQLite file with the blog's projections: the posts table at a position and at a
// time, what changed between two points, the store's own tables never touched, and
// every kind of bad input refused with exit 2, one line, and nothing written.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { eventline, lines, ok, records, type Result } from '../fixtures/cli.js';


const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-query-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'blog.db');
const store = `sqlite:${file}`;
const READ_SIDE = 'examples/blog/read-side/index.ts';
const asOf = (...args: string[]) => ['--store', store, 'query', 'as-of', '--projections', READ_SIDE, ...args];

/** When each event was recorded, by position, as read-all --json tells it. */
let recordedAt: string[] = [];

async function append(stream: string, type: string, data: object): Promise<void> {
  await ok(['--store', store, 'append', stream, '--type', type, '--data', JSON.stringify(data)]);
  await sleep(5);
}

before(async () => {
  await append('post-hello', 'PostWasCreated', { postId: 'hello', title: 'Hello', body: 'The first post.', authorId: 'ada' });
  await append('post-hello', 'PostWasPublished', { postId: 'hello' });
  await append('post-second', 'PostWasCreated', { postId: 'second', title: 'Second', body: 'Another.', authorId: 'bo' });
  await append('post-hello', 'PostWasEdited', { postId: 'hello', title: 'Hello again', body: 'The first post.' });
  recordedAt = [''].concat(records(await ok(['--store', store, '--json', 'read-all'])).map((e) => String(e.recordedAt)));
});

describe('eventline query as-of, told on a blog of four events', () => {
  test('the posts table as of a position: one line saying so, then the rows in key order', async () => {
    const out = lines(await ok(asOf('--table', 'posts', '--position', '2')));
    assert.equal(out[0], 'posts as of position 2: 1 row, replayed from 2 events');
    assert.match(out[1]!, /^post_id\s+title\s+title_lower\s+author_id\s+status\s+created_at\s+published_at\s+version$/);
    assert.match(out[2]!, /^hello\s+Hello\s+hello\s+ada\s+published\s+\d+\s+\d+\s+2$/);
    assert.equal(out.length, 3);
  });

  test('with --json, one row object per line; position 0 is before the first event', async () => {
    const rows = records(await ok([...asOf('--table', 'posts', '--position', '4'), '--json']));
    assert.deepEqual(rows.map((r) => [r.post_id, r.title, r.status, r.version]), [
      ['hello', 'Hello again', 'published', 3],
      ['second', 'Second', 'draft', 1],
    ]);
    assert.equal(await ok([...asOf('--table', 'posts', '--position', '0'), '--json']), '');
    assert.equal(lines(await ok(asOf('--table', 'posts', '--position', '0')))[0], 'posts as of position 0: 0 rows, replayed from 0 events');
  });

  test('as of a time includes the event recorded at that very millisecond', async () => {
    const rows = records(await ok([...asOf('--table', 'posts', '--time', recordedAt[3]!), '--json']));
    assert.deepEqual(rows.map((r) => [r.post_id, r.title]), [['hello', 'Hello'], ['second', 'Second']]);
    const stats = records(await ok([...asOf('--table', 'author_stats', '--time', recordedAt[1]!), '--json']));
    assert.deepEqual(stats, [{ author_id: 'ada', posts: 1, published_posts: 0 }]);
  });

  test('--diff-from prints the rows added and changed since an earlier position or time', async () => {
    const human = lines(await ok(asOf('--table', 'posts', '--position', '4', '--diff-from', '1')));
    assert.equal(human[0], 'posts from position 1 to position 4: 1 added, 0 removed, 1 changed');
    assert.match(human[1]!, /^\+ second {2}\{"post_id":"second","title":"Second",/);
    assert.match(human[2]!, /^~ hello {2}title: Hello → Hello again; title_lower: hello → hello again; status: draft → published; published_at: NULL → \d+; version: 1 → 3$/);

    const json = records(await ok([...asOf('--table', 'posts', '--time', recordedAt[4]!, '--diff-from', recordedAt[2]!), '--json']));
    assert.deepEqual(json.map((c) => [c.change, c.key]), [['added', { post_id: 'second' }], ['changed', { post_id: 'hello' }]]);
    assert.deepEqual(json[1]!.columns, ['title', 'title_lower', 'version']);

    const removed = records(await ok([...asOf('--table', 'posts', '--position', '1', '--diff-from', '4'), '--json']));
    assert.deepEqual(removed.map((c) => [c.change, c.key]), [['removed', { post_id: 'second' }], ['changed', { post_id: 'hello' }]]);
  });

  test('the store\'s own tables are never touched: no read-model table appears in the file', async () => {
    await ok(asOf('--table', 'author_stats', '--position', '4'));
    const db = new Database(file, { readonly: true });
    try {
      const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
      assert.deepEqual(tables.filter((t) => !['events', 'positions_used', 'event_id_tag', 'snapshots', 'eventline_schema', 'sqlite_sequence', 'pruned_events', 'store_epoch'].includes(t)), []);
    } finally {
      db.close();
    }
  });

  test('--projections takes any ES module path, with the projections as its default export', async () => {
    writeFileSync(
      join(dir, 'titles.mjs'),
      `export default [{ name: 'titles', eventTypes: ['PostWasCreated'], tables: ['titles'], indexes: [],
        setup: (db) => db.exec('CREATE TABLE IF NOT EXISTS {titles} (title TEXT)'),
        handle: (e, db) => db.run('INSERT INTO {titles} (title) VALUES ($1)', [e.data.title]) }];\n`,
    );
    const result = await eventline(['--store', store, '--json', 'query', 'as-of', '--projections', './titles.mjs', '--table', 'titles', '--position', '9'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(records(result.stdout), [{ title: 'Hello' }, { title: 'Second' }]);
  });
});

describe('eventline query, given bad input, refuses it with exit 2 and opens no store', { concurrency: 4 }, () => {
  const untouched = join(dir, 'untouched.db');

  function assertRefused(result: Result, message: RegExp): void {
    assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
    assert.equal(result.stdout, '', 'nothing on stdout');
    assert.equal(lines(result.stderr).length, 1, `one line on stderr, got: ${result.stderr}`);
    assert.match(result.stderr, message);
  }

  const table = ['--projections', READ_SIDE, '--table', 'posts'];
  const refused: [string, string[], RegExp][] = [
    ['no action', ['query'], /query needs <action>/],
    ['an unknown action', ['query', 'now'], /query: unknown action "now" \(use as-of\)/],
    ['no --projections', ['query', 'as-of', '--table', 'posts', '--position', '1'], /query as-of needs --projections/],
    ['no --table', ['query', 'as-of', '--projections', READ_SIDE, '--position', '1'], /query as-of needs --table/],
    ['neither --position nor --time', ['query', 'as-of', ...table], /needs --position <n> or --time <iso>/],
    ['both --position and --time', ['query', 'as-of', ...table, '--position', '1', '--time', '2026-01-01'], /--position or --time, not both/],
    ['a negative --position', ['query', 'as-of', ...table, '--position=-1'], /--position must be a whole number >= 0 \(got "-1"\)/],
    ['a word for --position', ['query', 'as-of', ...table, '--position', 'last'], /--position must be a whole number >= 0/],
    ['a --time without a zone', ['query', 'as-of', ...table, '--time', '2026-11-26T19:00:00'], /--time must be an ISO 8601 time with a zone/],
    ['a --time on February 30th', ['query', 'as-of', ...table, '--time', '2026-02-30'], /--time must be an ISO 8601 time/],
    ['a --time in words', ['query', 'as-of', ...table, '--time', 'yesterday'], /--time must be an ISO 8601 time/],
    ['a bad --diff-from', ['query', 'as-of', ...table, '--position', '2', '--diff-from', 'then'], /--diff-from must be an ISO 8601 time/],
    ['a module that does not exist', ['query', 'as-of', '--projections', 'no/such.ts', '--table', 'posts', '--position', '1'], /--projections: cannot load "no\/such.ts": Cannot find module/],
    ['a module without projections', ['query', 'as-of', '--projections', 'examples/blog/index.ts', '--table', 'posts', '--position', '1'], /exports no projections/],
    ['a table no projection owns', ['query', 'as-of', '--projections', READ_SIDE, '--table', 'events', '--position', '1'], /--table: no projection .* owns "events" \(its tables: posts, author_stats, post_authors\)/],
    ['an option of another command', ['query', 'as-of', ...table, '--position', '1', '--limit', '3'], /unknown option --limit/],
  ];

  for (const [name, args, message] of refused) {
    test(`${name}: exit 2, no store opened`, async () => {
      assertRefused(await eventline(['--store', `sqlite:${untouched}`, ...args]), message);
      assert.equal(existsSync(untouched), false, 'no store was opened');
    });
  }

  test('with --json an error is one JSON line with its code', async () => {
    const result = await eventline(['--store', `sqlite:${untouched}`, '--json', 'query', 'as-of', ...table, '--time', 'soon']);
    assert.equal(result.code, 2);
    assert.equal((JSON.parse(result.stderr) as { error: string }).error, 'USAGE');
    assert.equal(existsSync(untouched), false);
  });

  test('help query shows the action and its options', async () => {
    const help = await ok(['help', 'query']);
    assert.match(help, /^Usage: eventline .* query as-of --projections <module> --table <table> \(--position <n> \| --time <iso>\)/);
    for (const option of ['--projections <module>', '--table <table>', '--position <n>', '--time <iso>', '--diff-from <n|iso>']) assert.ok(help.includes(option), option);
    assert.match(await ok(['--help']), /\n {2}query +Print a read-model table as of a position or a time/);
  });
});
