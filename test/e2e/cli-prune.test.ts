// End-to-end: `eventline prune` and `eventline archive` as a user runs them, real
// processes on real SQLite files: a dry run that writes nothing, a prune that compacts a
// counter and archives its prefix, the archive verified and restored into another store,
// and bad input refused with one line and nothing written.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventline, lines, ok, records } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-prune-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = `sqlite:${join(dir, 'counters.db')}`;
const archives = join(dir, 'archives');
const COUNTER = 'test/fixtures/retention-counter.ts';

async function count(stream: string, by: number): Promise<void> {
  await ok(['--store', store, 'append', stream, '--type', 'Counted', '--data', JSON.stringify({ by })]);
}

async function typesOf(stream: string, url = store): Promise<string[]> {
  return records(await ok(['--store', url, '--json', 'read', stream])).map((e) => `${e.version}:${e.type}`);
}

/** The store file's bytes and modification time: what "nothing written" can be checked by. */
const fileState = () => {
  const { size, mtimeMs } = statSync(join(dir, 'counters.db'));
  return { size, mtimeMs };
};

before(async () => {
  for (let by = 1; by <= 6; by++) await count('counter-a', by);
  await count('counter-b', 10);
});

describe('eventline prune, told the story of two counters', () => {
  test('a dry run prints what would go and writes nothing', async () => {
    const before = await typesOf('counter-a');
    const human = lines(await ok(['--store', store, 'prune', '--category', 'counter', '--max-count', '2', '--decider', COUNTER, '--archive', archives, '--dry-run']));
    assert.match(human[0]!, /^POLICY\s+STREAM\s+ACTION\s+VERSIONS\s+EVENTS\s+BYTES$/);
    assert.match(human[1]!, /^counter\s+counter-a\s+compact\s+1\.\.4\s+4\s+\d+$/);
    assert.ok(human.includes('dry run: nothing was written'));
    assert.deepEqual(await typesOf('counter-a'), before);
    assert.throws(() => readdirSync(archives), 'no archive folder is made');
  });

  test('a prune compacts the counter, archives the prefix, and the fold keeps its total', async () => {
    const out = records(await ok(['--store', store, '--json', 'prune', '--policies', COUNTER, '--archive', archives]));
    const report = out[0]!;
    assert.equal(report.removed, 4);
    assert.equal(report.dryRun, false);
    assert.match(String(report.run), /.+/);
    // The compacted state goes in first, at version 7; versions 1..4 are gone, 5..7 stay.
    assert.deepEqual(await typesOf('counter-a'), ['5:Counted', '6:Counted', '7:StreamCompacted']);
    const compacted = records(await ok(['--store', store, '--json', 'read', 'counter-a']))[2]!;
    assert.deepEqual((compacted.data as { state: unknown }).state, { count: 6, total: 21 });
    assert.deepEqual(await typesOf('counter-b'), ['1:Counted']);

    // stats tells of the run and the bytes it gave back, measured after the space was reclaimed.
    const stats = records(await ok(['--store', store, '--json', 'stats']))[0]!;
    const last = stats.lastPrune as { run: string; events: number; bytesBefore: number; bytesAfter: number; measured: boolean };
    assert.deepEqual([last.run, last.events, last.measured], [report.run, 4, true]);
    assert.equal(last.bytesAfter, stats.bytes);
    assert.match(await ok(['--store', store, 'stats']), /\npruned {3}run \S+ at \S+: 4 events\n\s+\S+ \S+ \(\d+ bytes\) before, \S+ \S+ \(\d+ bytes\) after \(incremental vacuum: its space given back\)\n$/);

    // A file made with incremental vacuum gives its free pages back without a rewrite, --full or not.
    const reclaimed = records(await ok(['--store', store, '--json', 'reclaim', '--full']))[0]!;
    assert.equal(reclaimed.done, 'incremental');
    assert.ok((reclaimed.bytesAfter as number) <= (reclaimed.bytesBefore as number));

    const archive = (report.archive as { file: string }).file;
    const verified = records(await ok(['--json', 'archive', 'verify', archive]))[0]!;
    assert.deepEqual({ run: verified.run, events: verified.events, valid: verified.valid }, { run: report.run, events: 4, valid: true });
  });

  test('the archive restores into another store, every event as it was', async () => {
    const [archive] = readdirSync(archives).filter((name) => name.endsWith('.jsonl.gz'));
    const other = `sqlite:${join(dir, 'old-counters.db')}`;
    const human = await ok(['archive', 'restore', join(archives, archive!), '--into', other]);
    assert.match(human, /^restored 4 events of run .+; RetentionRestored at position \d+\n$/);
    assert.deepEqual(await typesOf('counter-a', other), ['1:Counted', '2:Counted', '3:Counted', '4:Counted']);
  });

  test('a prefix with no fold to keep it is refused with exit 3, and nothing is written', async () => {
    await count('counter-c', 1);
    await count('counter-c', 2);
    await count('counter-c', 3);
    const before = fileState();
    const result = await eventline(['--store', store, 'prune', '--category', 'counter', '--truncate-before', '2', '--archive', archives]);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^eventline: prune refused: .*no fold to compact them/);
    assert.equal(lines(result.stderr).length, 1);
    assert.deepEqual(fileState(), before);
  });

  test('bad input is one line on stderr, exit 2, and nothing written', async () => {
    const before = fileState();
    for (const [args, message] of [
      [['prune', '--category', 'counter', '--max-age', '0d'], /--max-age must be a number of days, hours or minutes/],
      [['prune', '--category', 'counter', '--max-age', '1y'], /--max-age must be/],
      [['prune', '--category', 'counter'], /needs --max-age, --max-count or --truncate-before/],
      [['prune', '--max-count', '2'], /needs --policies <module>, or --category/],
      [['prune', '--policies', COUNTER, '--category', 'counter'], /takes --policies or --category/],
      [['prune', '--category', 'counter', '--max-count', '0'], /--max-count must be a whole number >= 1/],
      [['prune', '--category', 'counter', '--max-count', '2', '--schema-version', '1'], /--schema-version goes with --decider/],
      [['prune', '--category', 'counter-x', '--max-count', '2'], /category/],
      [['archive', 'restore', join(dir, 'none.jsonl.gz')], /archive restore needs --into/],
      [['archive', 'list', 'x'], /archive/],
      [['reclaim', 'now'], /reclaim/],
      [['reclaim', '--full=yes'], /--full/],
      [['reclaim', '--vacuum'], /unknown option --vacuum/],
    ] as const) {
      const result = await eventline(['--store', store, ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(lines(result.stderr).length, 1, result.stderr);
      assert.match(result.stderr, message);
    }
    assert.deepEqual(fileState(), before);
  });

  test('an archive altered after it was written fails verify with exit 1', async () => {
    const [name] = readdirSync(archives).filter((n) => n.endsWith('.jsonl.gz'));
    const altered = join(dir, 'altered.jsonl.gz');
    const bytes = readFileSync(join(archives, name!));
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(altered, bytes);
    writeFileSync(altered.replace(/\.jsonl\.gz$/, '.manifest.json'), readFileSync(join(archives, name!.replace(/\.jsonl\.gz$/, '.manifest.json'))));
    const result = await eventline(['archive', 'verify', altered]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^eventline: /);
    assert.equal(lines(result.stderr).length, 1);
  });
});
