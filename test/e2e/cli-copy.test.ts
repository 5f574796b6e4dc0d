// End-to-end: `eventline copy` as a user runs it, real processes on real SQLite files: a
// copy into a new file, read back the same; a second run that finds nothing new; a
// verification that finds a changed event; and bad input (an unknown kind of store, a
// source that does not exist, the source itself under another spelling) refused with
// one line, a non-zero exit, and nothing written.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/stores/sqlite-db/driver.js';
import { eventline, lines, ok, records, ROOT } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-copy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sourceFile = join(dir, 'blog.db');
const source = `sqlite:${sourceFile}`;

/** The source file's bytes and modification time: what "nothing written" can be checked by. */
const fileState = (file = sourceFile) => {
  const { size, mtimeMs } = statSync(file);
  return { size, mtimeMs };
};

async function read(url: string, stream: string): Promise<unknown[]> {
  return records(await ok(['--store', url, '--json', 'read', stream])).map(({ eventId, version, type, data, metadata, recordedAt }) => ({ eventId, version, type, data, metadata, recordedAt }));
}

before(async () => {
  for (const title of ['Hello', 'Hello again']) {
    await ok(['--store', source, 'append', 'post-1', '--type', 'PostWasEdited', '--data', JSON.stringify({ title }), '--metadata', '{"by":"ada"}']);
  }
  await ok(['--store', source, 'append', 'post-2', '--type', 'PostWasCreated', '--data', '{"title":"Two"}']);
});

describe('eventline copy, told the story of a blog moved to a new file', () => {
  const target = `sqlite:${join(dir, 'copy.db')}`;

  test('a copy into a new file carries every event as it was, and verifies', async () => {
    const human = lines(await ok(['copy', source, target]));
    assert.equal(human[0], 'copied 3 events; source position 3 is target position 3');
    assert.match(human.at(-1)!, /^verified 2 streams, 3 events in [0-9.]+ s: every stream matches$/);
    assert.deepEqual(await read(target, 'post-1'), await read(source, 'post-1'));
    assert.deepEqual(await read(target, 'post-2'), await read(source, 'post-2'));
  });

  test('a second run finds nothing new, and --json says what an earlier run had copied', async () => {
    const [report] = records(await ok(['--json', 'copy', source, target, '--batch-size', '2']));
    assert.equal(report!.copied, 0);
    assert.equal(report!.resumed, 3);
    assert.deepEqual((report!.verification as { mismatches: unknown[] }).mismatches, []);
  });

  test('--verify-only finds an event changed in the target, names its stream, and exits 1', async () => {
    const db = await openDatabase(join(dir, 'copy.db'));
    db.prepare(`UPDATE events SET data = '{"title":"Changed"}' WHERE stream_id = 'post-2'`).run();
    db.close();
    const result = await eventline(['copy', source, target, '--verify-only']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /2 streams, 3 events .*: 1 streams differ\n {2}post-2: has events in the target whose/);
    // Progress lines come before it on stderr; the error is the last line.
    assert.deepEqual(lines(result.stderr).slice(-1), [`eventline: copy does not verify: stream 'post-2' has events in the target whose id, version, time, type, data or metadata differ from the source`]);
  });
});

describe('eventline copy refuses bad input with one line, and writes nothing', () => {
  const refused = async (args: string[], code: number, message: RegExp) => {
    const before = fileState();
    const result = await eventline(args);
    assert.equal(result.code, code, result.stderr);
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(result.stderr.trim(), message);
    assert.equal(result.stdout, '');
    assert.deepEqual(fileState(), before, 'the source is untouched');
  };

  test('an unknown kind of store', async () => {
    const target = join(dir, 'never-1.db');
    await refused(['copy', source, `sqlit:${target}`], 2, /^eventline: cannot open store 'sqlit:.*': unknown kind of store/);
    assert.equal(existsSync(target), false);
  });

  test('a source that does not exist', async () => {
    const target = join(dir, 'never-2.db');
    await refused(['copy', `sqlite:${join(dir, 'missing.db')}`, `sqlite:${target}`], 2, /there is no store there/);
    assert.equal(existsSync(join(dir, 'missing.db')), false);
    assert.equal(existsSync(target), false);
  });

  test('a missing target', async () => {
    await refused(['copy', source], 2, /^eventline: copy needs <to>/);
  });

  test('the source itself, spelled relative to the current folder', async () => {
    await refused(['copy', source, `sqlite:${relative(ROOT, sourceFile)}`], 3, /^eventline: copy refused: sqlite:.* is the source store itself$/);
  });

  test('the source itself, through a symbolic link', async () => {
    const link = join(dir, 'link.db');
    symlinkSync(sourceFile, link);
    await refused(['copy', `sqlite:${link}`, source], 3, /is the source store itself/);
  });

  test('a PostgreSQL store named twice, once with its defaults spelled out', async () => {
    await refused(['copy', 'postgres://app@localhost/blog', 'postgres://app@127.0.0.1:5432/blog?schema=eventline'], 3, /is the source store itself/);
  });

  test('a PostgreSQL store named twice with its password: the refusal names where it leads, never the password', async () => {
    await refused(['copy', 'postgres://app:s3cret@localhost/blog', 'postgres://app:s3cret@127.0.0.1/blog'], 3, /^eventline: copy refused: postgres:\/\/localhost:5432\/blog\?schema=eventline is the source store itself$/);
  });
});
