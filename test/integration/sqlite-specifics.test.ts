// What only the SQLite store has: a file, durability settings, schema versions,
// positions that survive deletes, and writers in other processes that hold the lock.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { openEventStore, StoreOpenError } from '../../src/index.js';
import { startProcess } from '../../src/testing/processes/spawn.js';
import { SCHEMA_VERSION } from '../../src/stores/sqlite/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `nested-${++files}`, 'store.db');
const created = { type: 'PostWasCreated', data: { postId: '1' } };

test('creates the file and its folder, in WAL mode with synchronous NORMAL', async () => {
  const file = freshFile();
  const store = await openEventStore(`sqlite:${file}`);
  await store.appendToStream('post-1', [created]);
  await store.close();
  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.prepare('SELECT version FROM eventline_schema').pluck().get(), SCHEMA_VERSION);
  db.close();
});

test('opens with synchronous FULL when the URL asks for it', async () => {
  const file = freshFile();
  const store = await openEventStore(`sqlite:${file}?synchronous=full`);
  await store.appendToStream('post-1', [created]);
  const stats = await store.stats();
  assert.equal(stats.events, 1);
  assert.ok(stats.bytes > 0);
  await store.close();
});

test('never hands out a position twice, even after the newest events are deleted', async () => {
  const file = freshFile();
  const store = await openEventStore(`sqlite:${file}`);
  const { lastPosition } = await store.appendToStream('post-1', [created, created]);
  const db = new Database(file);
  db.prepare('DELETE FROM events').run();
  db.close();
  const next = await store.appendToStream('post-2', [created]);
  assert.equal(next.lastPosition, lastPosition + 1);
  await store.close();
});

async function collectStreams(store: Awaited<ReturnType<typeof openEventStore>>) {
  const streams = [];
  for await (const stream of store.listStreams()) streams.push(stream);
  return streams;
}

test('reopening a file keeps its events and does not migrate again', async () => {
  const url = `sqlite:${freshFile()}`;
  const first = await openEventStore(url);
  await first.appendToStream('post-1', [created]);
  await first.close();
  const second = await openEventStore(url);
  assert.equal((await second.readStream('post-1')).length, 1);
  await second.close();
});

test('upgrades a file from an older Eventline, keeping its events', async () => {
  const file = freshFile();
  const url = `sqlite:${file}`;
  const old = await openEventStore(url);
  await old.appendToStream('post-1', [created]);
  await old.close();
  const db = new Database(file);
  // Back to the first schema: no snapshots, no positions_used, and a streams table
  // whose rows carry a version.
  db.exec(`DROP TABLE snapshots; DROP TRIGGER events_deleted; DROP TABLE positions_used;
    CREATE TABLE streams (stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO streams (stream_id, version) VALUES ('post-1', 1);
    UPDATE eventline_schema SET version = 1`);
  db.close();
  const upgraded = await openEventStore(url);
  assert.equal((await upgraded.readStream('post-1')).length, 1);
  await upgraded.close();
  const after = new Database(file, { readonly: true });
  assert.equal(after.prepare('SELECT version FROM eventline_schema').pluck().get(), SCHEMA_VERSION);
  assert.equal(after.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'snapshots'`).pluck().get(), 1);
  // Streams are listed from the events' index since schema 4; appends write no other table.
  assert.equal(after.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'streams'`).pluck().get(), 0);
  after.close();
});

test('an upgrade from AUTOINCREMENT positions keeps every position it handed out used', async () => {
  const file = freshFile();
  const url = `sqlite:${file}`;
  const old = await openEventStore(url);
  await old.appendToStream('post-1', [created, created, created]);
  await old.close();
  // A file of schema 3: positions by AUTOINCREMENT, and the newest two events deleted
  // (sqlite_sequence still remembers position 3).
  const db = new Database(file);
  db.exec(`
    CREATE TABLE streams (stream_id TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT INTO streams (stream_id) VALUES ('post-1');
    CREATE TABLE events_old (
      position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, version INTEGER NOT NULL,
      event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT,
      recorded_at INTEGER NOT NULL, UNIQUE (stream_id, version));
    INSERT INTO events_old SELECT position, stream_id, version, event_id, type, data, metadata, recorded_at FROM events;
    DROP TABLE events; DROP TABLE positions_used;
    ALTER TABLE events_old RENAME TO events;
    DELETE FROM events WHERE position > 1;
    UPDATE eventline_schema SET version = 3`);
  db.close();

  const upgraded = await openEventStore(url);
  assert.deepEqual((await collectStreams(upgraded)), [{ streamId: 'post-1', version: 1 }]);
  const { lastPosition } = await upgraded.appendToStream('post-2', [created]);
  assert.equal(lastPosition, 4, 'positions 2 and 3 were handed out before the upgrade');
  await upgraded.close();
});

test('refuses a file from a newer Eventline', async () => {
  const file = freshFile();
  await (await openEventStore(`sqlite:${file}`)).close();
  const db = new Database(file);
  db.prepare('UPDATE eventline_schema SET version = 99').run();
  db.close();
  await assert.rejects(openEventStore(`sqlite:${file}`), (error) => {
    assert.ok(error instanceof StoreOpenError);
    assert.match(error.message, /schema version 99/);
    return true;
  });
});

for (const [what, url, pattern] of [
  ['a folder instead of a file', () => `sqlite:${dir}`, /cannot open store/],
  ['a file that is not a database', () => {
    const file = join(dir, 'not-a-db.db');
    writeFileSync(file, 'hello, this is text'.repeat(100));
    return `sqlite:${file}`;
  }, /not a database/],
  ['no path', () => 'sqlite:', /needs a file path/],
  ['an unknown synchronous mode', () => `sqlite:${freshFile()}?synchronous=sometimes`, /synchronous: must be one of normal, full/],
  ['an unknown parameter', () => `sqlite:${freshFile()}?journal=off`, /unknown parameter journal/],
  ['an unknown kind of store', () => 'mysql://localhost/db', /unknown kind of store/],
  ['an empty URL', () => '', /non-empty string/],
] as const) {
  test(`refuses to open ${what} with StoreOpenError`, async () => {
    await assert.rejects(openEventStore(url()), (error) => {
      assert.ok(error instanceof StoreOpenError, String(error));
      assert.equal(error.code, 'STORE_OPEN_FAILED');
      assert.match(error.message, pattern);
      return true;
    });
  });
}

test('a writer waits for another process that holds the lock past the busy timeout, then succeeds', { timeout: 30_000 }, async () => {
  const file = freshFile();
  mkdirSync(join(file, '..'), { recursive: true });
  const url = `sqlite:${file}`;
  const store = await openEventStore(url);
  const holder = startProcess('hold', [url, 'post-held', randomUUID(), '6500', 'commit']);
  await holder.printed('holding');
  const started = Date.now();
  const result = await store.appendToStream('post-waiting', [created]);
  assert.ok(Date.now() - started > 5000, 'the append waited for the lock');
  assert.equal(result.nextExpectedVersion, 1);
  await holder.result;
  const all = [];
  for await (const e of store.readAll()) all.push(e.streamId);
  assert.deepEqual(all, ['post-held', 'post-waiting']);
  await store.close();
});
