// End-to-end: `eventline keys rotate` as a user runs it, a real process on a SQLite store
// holding an author's name and email (canaries) sealed through the privacy guard. A new
// key-encryption key re-wraps the data keys; --data-keys gives the author new data keys
// for what is appended next, while what was sealed before still opens, and forgetting
// the author afterwards leaves no canary readable. What `keys` refuses is told in
// cli-subjects.test.ts beside what `subjects` refuses.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { lines, records } from '../fixtures/cli.js';
import { cli, EMAIL, NAME, ok, personalDataApp, SUBJECT } from '../fixtures/personal-data-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const { module: MODULE, appendGuarded } = personalDataApp(dir);

/** A store with one plain event and the author's personal data, sealed under ./eventline.kek in `cwd`. */
async function storeWithAuthor(cwd: string): Promise<string> {
  const url = `sqlite:${join(cwd, 'data', 'blog.db')}`;
  mkdirSync(cwd, { recursive: true });
  await ok(cwd, ['--store', url, 'append', 'post-1', '--type', 'PostWasCreated', '--data', '{"postId":"1"}']);
  await appendGuarded(url, join(cwd, 'eventline.kek'), `author-${SUBJECT}`, { authorId: SUBJECT, name: NAME, email: EMAIL });
  return url;
}

describe('eventline keys rotate, told the story of a key file replaced', () => {
  const cwd = join(dir, 'rotate');
  let url: string;

  before(async () => {
    url = await storeWithAuthor(cwd);
  });

  test('rotate re-wraps both keys under a new key file; export works with it and the old key is refused', async () => {
    const result = await cli(cwd, ['--store', url, '--json', 'keys', 'rotate', '--new-kek-file', 'next.kek']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /created a key-encryption key file at \S+next\.kek \(mode 0600\)/);
    const rotated = records(result.stdout)[0]!;
    assert.equal(rotated.rewrapped, 2);
    assert.notEqual(rotated.kekId, rotated.previousKekId);
    assert.equal(rotated.kekFile, join(cwd, 'next.kek'));

    const next = { EVENTLINE_KEK_FILE: 'next.kek' };
    const exported = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'export', SUBJECT, '--personal-data', MODULE], next))[0]!;
    assert.equal((exported.fields as { value: unknown }[]).filter((f) => f.value === NAME || f.value === EMAIL).length, 2);

    const old = await cli(cwd, ['--store', url, 'subjects', 'export', SUBJECT, '--personal-data', MODULE]);
    assert.equal(old.code, 2);
    assert.equal(old.stdout, '');
    assert.match(old.stderr, /^eventline: the key-encryption key \S+ is not the one this key storage \(sqlite\) is sealed with\n$/);
  });

  test('the human report says how many keys and that the old key file is no longer needed', async () => {
    const stdout = await ok(cwd, ['--store', url, 'keys', 'rotate'], { EVENTLINE_KEK_FILE: 'next.kek', EVENTLINE_NEW_KEK: randomBytes(32).toString('base64') });
    const [first, second] = lines(stdout);
    assert.match(first!, /^re-wrapped 2 data keys under key-encryption key \S+$/);
    assert.match(second!, /^the old key file \S+next\.kek \(\S+\) is no longer needed and opens nothing now; it was not deleted\. From now on set EVENTLINE_KEK as EVENTLINE_NEW_KEK holds it$/);
  });
});

describe('eventline keys rotate --data-keys, told the story of an author who writes again and is then forgotten', () => {
  const cwd = join(dir, 'data-keys');
  const NEW_NAME = 'Zed Renamed-Canary-c81e';
  const NEW_EMAIL = 'zed.renamed-canary-c81e@example.org';
  const canaries = [NAME, EMAIL, NEW_NAME, NEW_EMAIL];
  let url: string;

  before(async () => {
    url = await storeWithAuthor(cwd);
  });

  /** The key ids the author's events name, per event: [name's, email's]. */
  async function kidsOfEvents(): Promise<string[][]> {
    const events = records(await ok(cwd, ['--store', url, '--json', 'read', `author-${SUBJECT}`]));
    return events.map((event) => {
      const data = event.data as Record<string, { kid: string }>;
      return [data.name!.kid, data.email!.kid];
    });
  }

  test('rotating makes a new key for each category and changes no event; what is appended next seals under the new keys', async () => {
    const events = await ok(cwd, ['--store', url, '--json', 'read-all']);
    const result = await cli(cwd, ['--store', url, '--json', 'keys', 'rotate', '--data-keys']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(records(result.stdout), [{ rotated: 2 }]);
    assert.equal(await ok(cwd, ['--store', url, '--json', 'read-all']), events, 'nothing in the event log changed');

    await appendGuarded(url, join(cwd, 'eventline.kek'), `author-${SUBJECT}`, { authorId: SUBJECT, name: NEW_NAME, email: NEW_EMAIL });
    const [before, after] = await kidsOfEvents();
    assert.notEqual(after![0], before![0]);
    assert.notEqual(after![1], before![1]);
  });

  test('export reads what was sealed before and after the rotation', async () => {
    const json = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'export', SUBJECT, '--personal-data', MODULE]))[0]!;
    assert.deepEqual((json.fields as { value: unknown }[]).map((f) => f.value), canaries);
    assert.deepEqual(json.forgotten, []);
  });

  test('the human report is one line saying how many keys were made and what the old ones still do', async () => {
    const stdout = await ok(cwd, ['--store', url, 'keys', 'rotate', '--data-keys']);
    assert.deepEqual(lines(stdout), ['made 2 new data keys; events sealed before keep opening with the retired keys until their subjects are forgotten']);
  });

  test('forgetting the author deletes every key it had; then no canary is readable and it is given no new key', async () => {
    const receipt = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'forget', SUBJECT]))[0]!;
    assert.equal((receipt.keyIds as string[]).length, 6, 'two categories, three keys each');
    assert.equal(new Set((await kidsOfEvents()).flat()).size, 4);

    const json = records(await ok(cwd, ['--store', url, '--json', 'subjects', 'export', SUBJECT, '--personal-data', MODULE]))[0]!;
    assert.deepEqual([json.forgotten, json.fields], ['all', []]);
    for (const canary of canaries) {
      const stdout = await ok(cwd, ['--store', url, 'subjects', 'verify', SUBJECT, '--canary', canary]);
      assert.match(stdout, /^canary not found \(subject [0-9a-f]{32}; \d+ places? scanned\)\n$/);
    }
    assert.deepEqual(records(await ok(cwd, ['--store', url, '--json', 'keys', 'rotate', '--data-keys'])), [{ rotated: 0 }]);
  });
});

describe('eventline keys copy, told the story of a store moved with its keys', () => {
  const from = join(dir, 'copy-from');
  const to = join(dir, 'copy-to');
  let source: string;
  const target = `sqlite:${join(to, 'data', 'blog.db')}`;
  const keysIn = (cwd: string) => {
    const db = new Database(join(cwd, 'data', 'keys.db'), { readonly: true });
    try {
      return db.prepare('SELECT count(*) FROM keys').pluck().get() as number;
    } finally {
      db.close();
    }
  };

  before(async () => {
    source = await storeWithAuthor(from);
    mkdirSync(to, { recursive: true });
    await ok(from, ['copy', source, target]);
  });

  test('the keys follow the copied store: its personal fields open there with the same key file', async () => {
    const copied = records(await ok(from, ['--store', source, '--json', 'keys', 'copy', '--to', target]))[0]!;
    assert.deepEqual(copied, { settings: 3, erased: 0, keys: 2 });
    const exported = records(await ok(from, ['--store', target, '--json', 'subjects', 'export', SUBJECT, '--personal-data', MODULE]))[0]!;
    assert.deepEqual((exported.fields as { value: unknown }[]).map((f) => f.value).sort(), [EMAIL, NAME].sort());
    assert.deepEqual(records(await ok(from, ['--store', source, '--json', 'keys', 'copy', '--to', target])), [{ settings: 3, erased: 0, keys: 0 }], 'run again, nothing new');
  });

  test('bad input is one line, exit 2, and nothing written', async () => {
    const other = join(dir, 'copy-other');
    const otherUrl = await storeWithAuthor(other);
    const held = keysIn(other);
    for (const [args, message] of [
      [['--store', source, 'keys', 'copy'], /keys copy needs --to <store url>/],
      [['--store', source, 'keys', 'copy', '--to', `sqlite:${join(from, 'data', 'other.db')}`], /--to leads to the key storage the keys come from/],
      [['--store', source, 'keys', 'copy', '--to', otherUrl], /holds another kek-check/],
    ] as const) {
      const result = await cli(from, args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    }
    assert.equal(keysIn(other), held, 'the other key storage kept only its own keys');
  });
});
