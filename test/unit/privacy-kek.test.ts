// The key-encryption key: from EVENTLINE_KEK, or from a key file made on first start with
// mode 0600 and one line of warning. A missing, malformed or exposed key is a typed error
// at start, never a reason to write in the clear. And wrapping data keys under it.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { KeyEncryptionKeyError, type KeyEncryptionKeyProblem } from '../../src/core/errors.js';
import { kekCheck, kekId, loadKek, unwrapKey, wrapKey } from '../../src/privacy/index.js';

const folders: string[] = [];
after(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'eventline-kek-'));
  folders.push(folder);
  return folder;
}

/** Asserts a KeyEncryptionKeyError for this reason whose message holds none of `secrets`. */
async function refused(run: () => Promise<unknown> | unknown, reason: KeyEncryptionKeyProblem, secrets: string[] = []): Promise<void> {
  await assert.rejects(async () => run(), (error) => {
    assert.ok(error instanceof KeyEncryptionKeyError, String(error));
    assert.equal(error.code, 'KEK_INVALID');
    assert.equal(error.reason, reason);
    for (const secret of secrets) assert.ok(!error.message.includes(secret), error.message);
    return true;
  });
}

test('given EVENTLINE_KEK holds the base64 of 32 bytes, then it is the key, named by the first 16 hex of its SHA-256, and no file is made', async () => {
  const folder = await freshFolder();
  const key = randomBytes(32);
  const kek = await loadKek({ env: { EVENTLINE_KEK: key.toString('base64') }, keyFile: join(folder, 'kek'), warn: () => assert.fail('no warning') });
  assert.deepEqual(kek.key, key);
  assert.equal(kek.source, 'env');
  assert.equal(kek.id, createHash('sha256').update(key).digest('hex').slice(0, 16));
  assert.equal(kek.id, kekId(key));
  assert.deepEqual(await readdir(folder), []);
});

test('given EVENTLINE_KEK of the wrong length, not base64, or empty, then start is refused as malformed, without echoing it', async () => {
  for (const text of [randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), 'not a key at all!', '']) {
    await refused(() => loadKek({ env: { EVENTLINE_KEK: text }, keyFile: '/nonexistent/kek' }), 'malformed', text === '' ? [] : [text]);
  }
});

test('given no EVENTLINE_KEK and no key file, then start is refused as missing', async () => {
  await refused(() => loadKek({ env: {} }), 'missing');
});

test('given no EVENTLINE_KEK, when it starts the first time, then a key file is made with mode 0600 and one warning line, and the next start reuses it', async () => {
  const keyFile = join(await freshFolder(), 'keys', 'eventline.kek');
  const lines: string[] = [];
  const first = await loadKek({ env: {}, keyFile, warn: (line) => lines.push(line) });
  assert.equal(first.source, 'created');
  assert.equal(first.key.length, 32);
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.includes(keyFile) && lines[0]!.includes('backups') && !lines[0]!.includes('\n'));
  assert.ok(!lines[0]!.includes(first.key.toString('base64')));

  const second = await loadKek({ env: {}, keyFile, warn: (line) => lines.push(line) });
  assert.equal(second.source, 'file');
  assert.deepEqual(second.key, first.key);
  assert.equal(lines.length, 1, 'no second warning');
  assert.deepEqual(await readdir(join(keyFile, '..')), ['eventline.kek'], 'no temporary file left behind');
});

test('given two processes starting at once with no key file, then both end up with the one key that was made', async () => {
  const keyFile = join(await freshFolder(), 'eventline.kek');
  const lines: string[] = [];
  const keys = await Promise.all([1, 2, 3].map(() => loadKek({ env: {}, keyFile, warn: (line) => lines.push(line) })));
  assert.ok(keys.every((kek) => kek.key.equals(keys[0]!.key)));
  assert.equal(lines.length, 1);
});

test('given a key file that group or others may read, then start is refused as exposed', async () => {
  const keyFile = join(await freshFolder(), 'eventline.kek');
  const key = randomBytes(32).toString('base64');
  await writeFile(keyFile, `${key}\n`, { mode: 0o600 });
  await chmod(keyFile, 0o640);
  await refused(() => loadKek({ env: {}, keyFile }), 'exposed', [key]);
  await chmod(keyFile, 0o604);
  await refused(() => loadKek({ env: {}, keyFile }), 'exposed', [key]);
});

test('given a key file that does not hold 32 bytes, then start is refused as malformed', async () => {
  const keyFile = join(await freshFolder(), 'eventline.kek');
  await writeFile(keyFile, 'short\n', { mode: 0o600 });
  await refused(() => loadKek({ env: {}, keyFile }), 'malformed', ['short']);
});

test('given a data key wrapped under a KEK, then that KEK unwraps it, and another KEK or key id is refused as wrong', async () => {
  const kek = randomBytes(32);
  const dataKey = randomBytes(32);
  const wrapped = wrapKey(kek, 'k1', dataKey);
  assert.ok(!wrapped.includes(dataKey.toString('base64')));
  assert.deepEqual(unwrapKey(kek, 'k1', wrapped), dataKey);
  assert.notEqual(wrapKey(kek, 'k1', dataKey), wrapped, 'a fresh nonce each time');
  await refused(() => unwrapKey(randomBytes(32), 'k1', wrapped), 'wrong', [dataKey.toString('base64'), kek.toString('base64')]);
  await refused(() => unwrapKey(kek, 'k2', wrapped), 'wrong');
  await refused(() => unwrapKey(kek, 'k1', 'AAAA'), 'malformed');
  await refused(() => wrapKey(randomBytes(16), 'k1', dataKey), 'malformed');
});

test('given a KEK, then its check value is the same each time, differs for another KEK, and holds no key', () => {
  const kek = randomBytes(32);
  assert.equal(kekCheck(kek), kekCheck(Buffer.from(kek)));
  assert.notEqual(kekCheck(kek), kekCheck(randomBytes(32)));
  assert.ok(!kekCheck(kek).includes(kek.toString('base64')));
});
