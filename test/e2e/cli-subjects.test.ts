// End-to-end: `eventline subjects` as a user runs it, and what `eventline keys` refuses
// (its stories are in cli-keys.test.ts), a real process on a real store (SQLite, and
// PostgreSQL when EVENTLINE_POSTGRES_URL is set).
// An application writes a person's name and email (canaries) through the privacy guard;
// verify finds them nowhere on disk, export shows them, forget crypto-shreds them with a
// receipt, and afterwards nothing readable is left. A canary written without the guard is
// found, which proves the scanner looks. Bad input is one line, exit 2, nothing written,
// and no message ever holds the subject id or a canary.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postgresTestUrl } from '../../src/testing/index.js';
import { lines, records, ROOT } from '../fixtures/cli.js';
import { cli, EMAIL, NAME, ok, personalDataApp, SUBJECT } from '../fixtures/personal-data-cli.js';

const PLAIN = 'Plain Canary-51d2';

const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-subjects-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const { module: MODULE, appendGuarded } = personalDataApp(dir);

function assertNoCanary(text: string): void {
  for (const canary of [NAME, EMAIL, SUBJECT]) assert.ok(!text.includes(canary), 'no canary or subject id in the output');
}

function forgetStory(kind: string, makeUrl: () => Promise<string>, placeOf: RegExp): void {
  describe(`eventline subjects on ${kind}, told the story of one author`, () => {
    const cwd = join(dir, kind);
    let url: string;

    before(async () => {
      mkdirSync(cwd, { recursive: true });
      url = await makeUrl();
      // The first use makes the store (append) and the key file (the guarded append).
      await ok(cwd, ['--store', url, 'append', 'post-1', '--type', 'PostWasCreated', '--data', '{"postId":"1","title":"Hello"}']);
      await appendGuarded(url, join(cwd, 'eventline.kek'), `author-${SUBJECT}`, { authorId: SUBJECT, name: NAME, email: EMAIL });
    });

    test('verify finds neither canary anywhere: the personal fields are sealed (exit 0)', async () => {
      for (const canary of [NAME, EMAIL]) {
        const stdout = await ok(cwd, ['--store', url, 'subjects', 'verify', SUBJECT, '--canary', canary]);
        assert.match(stdout, /^canary not found \(subject [0-9a-f]{32}; \d+ places? scanned\)\n$/);
      }
      const json = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'verify', SUBJECT, '--canary', NAME]))[0]!;
      assert.deepEqual(json.found, []);
      assert.ok((json.scanned as string[]).length >= 1);
    });

    test('export shows both fields in the clear, named by the subject\'s hash', async () => {
      const human = await ok(cwd, ['--store', url, 'subjects', 'export', SUBJECT, '--personal-data', MODULE]);
      const [title, header, ...rows] = lines(human);
      assert.match(title!, /^subject [0-9a-f]{32}: 2 personal fields; forgotten: none$/);
      assert.match(header!, /^POSITION\s+STREAM\s+TYPE\s+PATH\s+CATEGORY\s+VALUE$/);
      assert.equal(rows.length, 2);
      assert.ok(rows[0]!.includes(JSON.stringify(NAME)) && rows[1]!.includes(JSON.stringify(EMAIL)), 'the values, in declaration order');
      const json = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'export', SUBJECT, '--personal-data', MODULE]))[0]!;
      const fields = json.fields as { path: string; category: string; value: unknown }[];
      assert.deepEqual(fields.map((f) => [f.path, f.category, f.value === NAME || f.value === EMAIL]), [['name', 'profile', true], ['email', 'contact', true]]);
      assert.deepEqual(json.forgotten, []);
    });

    test('forget prints a receipt; a second call prints the same receipt and appends nothing', async () => {
      const first = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'forget', SUBJECT]))[0]!;
      assert.equal(first.categories, null);
      assert.equal((first.keyIds as string[]).length, 2);
      assert.match(String(first.mac), /^[A-Za-z0-9+/]+=*$/);
      const events = await ok(cwd, ['--store', url, '--json', 'read-all']);
      const second = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'forget', SUBJECT]))[0]!;
      assert.deepEqual(second, first);
      assert.equal(await ok(cwd, ['--store', url, '--json', 'read-all']), events, 'nothing appended');
      const human = lines(await ok(cwd, ['--store', url, 'subjects', 'forget', SUBJECT]));
      assert.deepEqual(human, [
        `forgot subject ${String(first.subjectHash)}: every category`,
        `receipt: 2 data keys deleted at ${new Date(Number(first.at)).toISOString()}, in stream erasure-${String(first.subjectHash)}`,
        `mac: ${String(first.mac)}`,
      ]);
    });

    test('afterwards export lists nothing readable, read shows no plaintext, and verify finds nothing', async () => {
      const json = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'export', SUBJECT, '--personal-data', MODULE]))[0]!;
      assert.deepEqual([json.forgotten, json.fields], ['all', []]);
      assert.match(await ok(cwd, ['--store', url, 'subjects', 'export', SUBJECT, '--personal-data', MODULE]), /: 0 personal fields; forgotten: all\n$/);
      // read opens the store without the guard: it shows the sealed envelopes, never the values.
      const read = await ok(cwd, ['--store', url, '--json', 'read', `author-${SUBJECT}`]);
      assert.equal(records(read).length, 1);
      assert.ok(!read.includes(NAME) && !read.includes(EMAIL), 'no plaintext in the stream');
      for (const canary of [NAME, EMAIL]) {
        const result = await cli(cwd, ['--store', url, 'subjects', 'verify', SUBJECT, '--canary', canary]);
        assert.equal(result.code, 0, result.stdout + result.stderr);
      }
    });

    test('a canary appended without the guard is found: exit 1, naming the place and the encoding', async () => {
      await ok(cwd, ['--store', url, 'append', 'notes-1', '--type', 'NoteWritten', '--data', JSON.stringify({ text: PLAIN })]);
      const result = await cli(cwd, ['--store', url, 'subjects', 'verify', SUBJECT, '--canary', PLAIN]);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stderr, '');
      const [header, ...rest] = lines(result.stdout);
      assert.match(header!, /^FOUND IN\s+ENCODING\s+COUNT$/);
      assert.ok(rest.some((line) => placeOf.test(line) && /\sutf-8\s+\d+$/.test(line)), result.stdout);
      assert.match(rest.at(-1)!, /^canary found \d+ times? in \d+ places? \(subject [0-9a-f]{32}; /);
      assert.ok(!result.stdout.includes(PLAIN), 'the canary itself is never printed');
    });
  });
}

forgetStory('sqlite', async () => `sqlite:${join(dir, 'sqlite', 'data', 'blog.db')}`, /blog\.db(-wal)?\s/);

const postgres = postgresTestUrl();
if (postgres !== undefined) {
  after(() => postgres.dropAll());
  forgetStory('postgres', () => postgres.freshUrl(), /^pg_dump of schemas t_[0-9a-f]+, t_[0-9a-f]+_keys\s/);
}

describe('eventline subjects verify --path finds a canary in every encoding it takes', () => {
  const cwd = join(dir, 'paths');
  const url = `sqlite:${join(cwd, 'data', 'blog.db')}`;
  const canary = 'Path Canary-c0ffee';

  before(async () => {
    mkdirSync(cwd, { recursive: true });
    await ok(cwd, ['--store', url, 'append', 'post-1', '--type', 'PostWasCreated', '--data', '{"postId":"1"}']);
  });

  const encodings: [string, (text: string) => Buffer][] = [
    ['utf-16le', (text) => Buffer.from(text, 'utf16le')],
    ['utf-16be', (text) => Buffer.from(text, 'utf16le').swap16()],
    ['hex', (text) => Buffer.from(Buffer.from(text).toString('hex'))],
    ['HEX', (text) => Buffer.from(Buffer.from(text).toString('hex').toUpperCase())],
    // The base64 of the canary after 0, 1 and 2 other bytes: three alignments, three different texts.
    ...[0, 1, 2].map((shift): [string, (text: string) => Buffer] => ['base64', (text) => Buffer.from(Buffer.concat([randomBytes(shift), Buffer.from(`{"x":"${text}"}`)]).toString('base64'))]),
  ];

  for (const [index, [encoding, encode]] of encodings.entries()) {
    test(`${encoding} (${index}): found in the file named, with its count; exit 1`, async () => {
      const file = join(cwd, `dump-${index}.bin`);
      writeFileSync(file, Buffer.concat([randomBytes(100), encode(canary), Buffer.from('\n--\n'), encode(canary), randomBytes(50)]));
      const result = await cli(cwd, ['--store', url, 'subjects', 'verify', SUBJECT, '--canary', canary, '--path', file, '--json']);
      assert.equal(result.code, 1, result.stderr);
      const report = records(result.stdout)[0]!;
      assert.deepEqual(report.found, [{ place: file, encoding, count: 2 }]);
      assert.ok(!result.stdout.includes(canary));
    });
  }

  test('a file without it: exit 0, and the file is among the places scanned', async () => {
    const file = join(cwd, 'clean.txt');
    writeFileSync(file, 'nothing to see\n');
    const result = await cli(cwd, ['--store', url, 'subjects', 'verify', SUBJECT, '--canary', canary, '--path', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^canary not found \(no key storage sealed yet, so no subject hash; \d+ places scanned\)\n$/);
    const report = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'verify', SUBJECT, '--canary', canary, '--path', file]))[0]!;
    assert.deepEqual([report.subjectHash, report.found], [null, []]);
    assert.deepEqual((report.scanned as string[]).at(-1), file, 'the store\'s files, then those named');
    assert.ok((report.scanned as string[]).includes(join(cwd, 'data', 'blog.db')));
    assert.equal(existsSync(join(cwd, 'data', 'keys.db')) || existsSync(join(cwd, 'eventline.kek')), false, 'verify made no key storage and no key file');
  });
});

describe('eventline subjects and keys, given bad input, refuse it with one line, and write nothing', () => {
  const cwd = join(dir, 'refusals');
  const url = `sqlite:${join(cwd, 'data', 'blog.db')}`;
  const keysFile = join(cwd, 'data', 'keys.db');
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
  let events: string;
  let keys: string;

  before(async () => {
    mkdirSync(cwd, { recursive: true });
    await ok(cwd, ['--store', url, 'append', 'post-1', '--type', 'PostWasCreated', '--data', '{"postId":"1"}']);
    await appendGuarded(url, join(cwd, 'eventline.kek'), `author-${SUBJECT}`, { authorId: SUBJECT, name: NAME, email: EMAIL });
    events = await ok(cwd, ['--store', url, '--json', 'read-all']);
    keys = sha(keysFile);
  });

  async function assertRefused(args: string[], message: RegExp, env: Record<string, string> = {}, code = 2): Promise<void> {
    const result = await cli(cwd, ['--store', url, ...args], env);
    assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
    assert.equal(result.stdout, '', 'nothing on stdout');
    assert.equal(lines(result.stderr).length, 1, `one line on stderr, got: ${result.stderr}`);
    assert.match(result.stderr, message);
    assertNoCanary(result.stderr);
    assert.equal(await ok(cwd, ['--store', url, '--json', 'read-all']), events, 'no event written');
    assert.equal(sha(keysFile), keys, 'the key storage unchanged');
  }

  const wrongKek = { EVENTLINE_KEK: randomBytes(32).toString('base64') };
  const dataKeysAndKek = /^eventline: keys rotate takes --data-keys or a new key-encryption key \(--new-kek-file or EVENTLINE_NEW_KEK\), not both$/m;
  const refusals: [string, string[], RegExp, Record<string, string>?][] = [
    ['no action', ['subjects'], /subjects needs <action>/],
    ['an unknown action', ['subjects', 'erase', SUBJECT], /^eventline: subjects: unknown action \(use export, forget or verify\)$/m],
    ['the id where the action goes', ['subjects', SUBJECT], /^eventline: subjects: unknown action \(use export, forget or verify\)$/m],
    ['an argument too many', ['subjects', 'forget', 'author-1', SUBJECT], /^eventline: subjects: unexpected argument \(the 3rd one\)$/m],
    ['a missing id', ['subjects', 'forget'], /subjects forget needs <id>/],
    ['export without --personal-data', ['subjects', 'export', SUBJECT], /subjects export needs --personal-data <module>/],
    ['an option of another action', ['subjects', 'forget', SUBJECT, '--canary', NAME], /--canary is not an option of subjects forget/],
    ['an email as the id', ['subjects', 'forget', EMAIL], /id: an email-shaped subject id is refused/],
    ['a bad category', ['subjects', 'forget', SUBJECT, '--category', 'Contact!'], /category: a category must match/],
    ['--personal-data that does not exist', ['subjects', 'export', SUBJECT, '--personal-data', 'no/such.mjs'], /--personal-data: cannot load "no\/such.mjs"/],
    ['--personal-data without declarations', ['subjects', 'export', SUBJECT, '--personal-data', join(ROOT, 'src/privacy/kek.ts')], /exports no personal-data declarations/],
    ['verify without --canary', ['subjects', 'verify', SUBJECT], /subjects verify needs --canary <text>/],
    ['a short canary', ['subjects', 'verify', SUBJECT, '--canary', 'Zed'], /--canary must be at least 6 bytes/],
    ['a --path that does not exist', ['subjects', 'verify', SUBJECT, '--canary', NAME, '--path', 'no-such.sql'], /--path: cannot read "no-such.sql" \(ENOENT\)/],
    ['a wrong KEK to export', ['subjects', 'export', SUBJECT, '--personal-data', MODULE], /the key-encryption key \S+ is not the one this key storage \(sqlite\) is sealed with/, wrongKek],
    ['a wrong KEK to forget', ['subjects', 'forget', SUBJECT], /is not the one this key storage/, wrongKek],
    ['a wrong KEK to verify', ['subjects', 'verify', SUBJECT, '--canary', NAME], /is not the one this key storage/, wrongKek],
    ['a malformed KEK', ['subjects', 'forget', SUBJECT], /EVENTLINE_KEK must hold the base64 of exactly 32 bytes/, { EVENTLINE_KEK: 'c2hvcnQ=' }],
    ['a key file that is missing', ['subjects', 'forget', SUBJECT], /the key file \S+ does not exist, and this key storage is sealed with one/, { EVENTLINE_KEK_FILE: 'elsewhere.kek' }],
    ['keys with an unknown action', ['keys', 'turn'], /keys: unknown action "turn" \(use rotate, backup or copy\)/],
    ['keys rotate without a new KEK', ['keys', 'rotate'], /keys rotate needs --new-kek-file <path> or EVENTLINE_NEW_KEK \(a new key-encryption key\), or --data-keys/],
    ['keys rotate to the wrong KEK\'s holder', ['keys', 'rotate', '--new-kek-file', 'next.kek'], /is not the one this key storage/, wrongKek],
    ['keys rotate to the key in use', ['keys', 'rotate', '--new-kek-file', 'eventline.kek'], /the new key-encryption key is the one in use/],
    ['keys rotate --data-keys with a new key file', ['keys', 'rotate', '--data-keys', '--new-kek-file', 'next.kek'], dataKeysAndKek],
    ['keys rotate --data-keys with EVENTLINE_NEW_KEK', ['keys', 'rotate', '--data-keys'], dataKeysAndKek, { EVENTLINE_NEW_KEK: randomBytes(32).toString('base64') }],
    ['keys rotate --data-keys under the wrong KEK', ['keys', 'rotate', '--data-keys'], /is not the one this key storage/, wrongKek],
  ];

  for (const [name, args, message, env] of refusals) {
    test(`${name}: exit 2`, () => assertRefused(args, message, env));
  }

  test('no refusal made a key file: not the new one of a refused rotate, nor one the environment named', () => {
    assert.equal(existsSync(join(cwd, 'next.kek')), false);
    assert.equal(existsSync(join(cwd, 'elsewhere.kek')), false);
  });

  test('with --json an error is one JSON line with its code, naming no subject', async () => {
    const result = await cli(cwd, ['--store', url, '--json', 'subjects', 'forget', SUBJECT], wrongKek);
    assert.equal(result.code, 2);
    assert.equal((JSON.parse(result.stderr) as { error: string }).error, 'KEK_INVALID');
    assertNoCanary(result.stderr);
  });

  test('help subjects and help keys show their actions', async () => {
    const subjects = await ok(cwd, ['help', 'subjects']);
    for (const action of ['export <id>', 'forget <id>', 'verify <id>']) assert.match(subjects, new RegExp(`\\n  ${action} `));
    assert.match(await ok(cwd, ['help', 'keys']), /\n {2}rotate /);
  });
});
