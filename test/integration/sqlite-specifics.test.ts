// What only the SQLite store has: a file, durability settings, schema versions,
// positions that survive deletes, and writers in other processes that hold the lock.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { DuplicateEventError, openEventStore, StoreOpenError } from '../../src/index.js';
import { startProcess } from '../../src/testing/processes/spawn.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/stores/sqlite/schema.js';
import { appendNamedAheadOfFive, appendNamedAroundChosen } from '../fixtures/named-ids.js';

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

test('after a prune of the newest events, and their audit event deleted too, a reopened file hands out no position twice', async () => {
  const file = freshFile();
  const store = await openEventStore(`sqlite:${file}`);
  await store.appendToStream('post-1', [created]);
  const { lastPosition } = await store.appendToStream('post-2', [created, created]);
  const { audit } = await store.retention.prune([{ streamId: 'post-2', upToVersion: 2 }], { streamId: '$retention', events: [{ type: 'RetentionRun', data: {} }] });
  await store.close();
  // Even with the audit event gone, the largest position ever used is remembered.
  const db = new Database(file);
  db.prepare(`DELETE FROM events WHERE stream_id = '$retention'`).run();
  db.close();
  const reopened = await openEventStore(`sqlite:${file}`);
  const next = await reopened.appendToStream('post-2', [created], { expectedVersion: 2 });
  assert.deepEqual([next.nextExpectedVersion, next.lastPosition], [3, audit.lastPosition + 1]);
  assert.ok(next.lastPosition > lastPosition + 1);
  await reopened.close();
});

test('names events appended without an id after their positions, and indexes only the ids callers chose', async () => {
  const file = freshFile();
  const store = await openEventStore(`sqlite:${file}`);
  const { chosen, tag } = await appendNamedAroundChosen(store);
  await store.close();

  const db = new Database(file, { readonly: true });
  assert.deepEqual(db.prepare('SELECT event_id FROM events ORDER BY position').pluck().all(), [null, chosen, null]);
  assert.equal(db.prepare('SELECT count(*) FROM events INDEXED BY events_event_id WHERE event_id IS NOT NULL').pluck().get(), 1);
  // Looking up a chosen id is one search of that index, not a scan.
  const plan = db.prepare('EXPLAIN QUERY PLAN SELECT position FROM events WHERE event_id = ?').all(chosen) as { detail: string }[];
  assert.match(plan.map((step) => step.detail).join('; '), /SEARCH events USING (COVERING )?INDEX events_event_id/);
  db.close();

  // Another file draws another tag.
  const other = await openEventStore(`sqlite:${freshFile()}`);
  await other.appendToStream('post-1', [created]);
  const [first] = await other.readStream('post-1');
  assert.notEqual(first!.eventId.slice(19), tag);
  await other.close();
});

test('an id of the file that names a position not handed out yet: the event that reaches it is given an id of its own', async () => {
  const file = freshFile();
  const store = await openEventStore(`sqlite:${file}`);
  const { tag } = await appendNamedAroundChosen(store);
  await appendNamedAheadOfFive(store, tag);
  await store.close();

  const db = new Database(file, { readonly: true });
  assert.deepEqual(db.prepare('SELECT position FROM events WHERE event_id IS NOT NULL ORDER BY position').pluck().all(), [2, 4, 5]);
  assert.equal(db.prepare('SELECT named_ahead FROM event_id_tag').pluck().get(), 5);
  db.close();
});

async function collectStreams(store: Awaited<ReturnType<typeof openEventStore>>) {
  const streams = [];
  for await (const stream of store.listStreams()) streams.push(stream);
  return streams;
}

test('opened with create: false, a missing file makes no folder, and another application\'s database is left untouched', async () => {
  const missing = freshFile();
  const isMissing = (error: unknown) => error instanceof StoreOpenError && error.reason === 'missing';
  await assert.rejects(openEventStore(`sqlite:${missing}`, { create: false }), isMissing);
  assert.equal(existsSync(dirname(missing)), false);

  const other = freshFile();
  mkdirSync(dirname(other), { recursive: true });
  const db = new Database(other);
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
  db.close();
  const bytes = readFileSync(other);
  await assert.rejects(openEventStore(`sqlite:${other}`, { create: false }), isMissing);
  assert.deepEqual(readFileSync(other), bytes, 'not a byte changed');
  assert.equal(existsSync(`${other}-wal`), false, 'its journal mode is as it was');

  const empty = join(dirname(other), 'empty.db');
  writeFileSync(empty, '');
  await assert.rejects(openEventStore(`sqlite:${empty}`, { create: false }), isMissing);
  assert.equal(readFileSync(empty).length, 0);
});

test('reopening a file keeps its events and does not migrate again', async () => {
  const url = `sqlite:${freshFile()}`;
  const first = await openEventStore(url);
  await first.appendToStream('post-1', [created]);
  await first.close();
  const second = await openEventStore(url);
  assert.equal((await second.readStream('post-1')).length, 1);
  await second.close();
});

/** A file as an older Eventline left it: the first `version` migrations, then `rows`. */
function olderFile(version: number, rows: string): string {
  const file = freshFile();
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
  db.exec(`CREATE TABLE eventline_schema (version INTEGER NOT NULL); INSERT INTO eventline_schema VALUES (${version}); ${rows}`);
  db.close();
  return file;
}

test('upgrades a file from an older Eventline, keeping its events and their ids', async () => {
  const eventId = randomUUID();
  // The first schema: a streams table whose rows carry a version, no snapshots.
  const file = olderFile(1, `
    INSERT INTO events (stream_id, version, event_id, type, data, metadata, recorded_at)
      VALUES ('post-1', 1, '${eventId}', 'PostWasCreated', '{"postId":"1"}', NULL, 0);
    INSERT INTO streams (stream_id, version) VALUES ('post-1', 1);`);
  const upgraded = await openEventStore(`sqlite:${file}`);
  assert.deepEqual((await upgraded.readStream('post-1')).map((e) => [e.eventId, e.data]), [[eventId, { postId: '1' }]]);
  // Its id is still guarded, and new events are named the new way.
  await assert.rejects(upgraded.appendToStream('post-2', [{ ...created, eventId }]), DuplicateEventError);
  await upgraded.appendToStream('post-2', [created]);
  const [named] = await upgraded.readStream('post-2');
  assert.match(named!.eventId, /^00000000-0000-8002-/);
  // Position 1 holds the id it was stored with: the id the file would give it names no event.
  const unused = `00000000-0000-8001-${named!.eventId.slice(19)}`;
  const stored = await upgraded.appendToStream('post-3', [{ ...created, eventId: unused }]);
  assert.deepEqual(await upgraded.appendToStream('post-3', [{ ...created, eventId: unused }]), stored);
  await assert.rejects(upgraded.appendToStream('post-4', [{ ...created, eventId: unused }]), DuplicateEventError);
  await upgraded.close();

  const after = new Database(file, { readonly: true });
  assert.equal(after.prepare('SELECT version FROM eventline_schema').pluck().get(), SCHEMA_VERSION);
  assert.equal(after.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'snapshots'`).pluck().get(), 1);
  // Streams are listed from the events' index since schema 4; appends write no other table.
  assert.equal(after.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'streams'`).pluck().get(), 0);
  after.close();
});

test('an upgrade from AUTOINCREMENT positions keeps every position it handed out used', async () => {
  // A file of schema 3 with three events, the newest two deleted: sqlite_sequence still
  // remembers position 3.
  const insert = (n: number) => `
    INSERT INTO events (stream_id, version, event_id, type, data, metadata, recorded_at)
      VALUES ('post-1', ${n}, '${randomUUID()}', 'PostWasCreated', '{}', NULL, 0);`;
  const file = olderFile(3, `${insert(1)} ${insert(2)} ${insert(3)}
    INSERT INTO streams (stream_id) VALUES ('post-1');
    DELETE FROM events WHERE position > 1;`);
  const upgraded = await openEventStore(`sqlite:${file}`);
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
  ['a parameter given twice', () => `sqlite:${freshFile()}?synchronous=full&synchronous=normal`, /parameter synchronous is given more than once/],
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
