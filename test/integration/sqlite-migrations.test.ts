// Upgrades of a SQLite file, one story per earlier schema version k: given a file that
// steps 1..k alone built, holding events written the way version k wrote them (the
// newest since deleted), when this Eventline opens it, then the file's schema is what a
// file created today has (objects and their SQL, columns, indexes and the schema
// version), its events read back as they were written, and it takes new appends.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { openEventStore } from '../../src/index.js';
import { migrate, SCHEMA_VERSION } from '../../src/stores/sqlite/schema.js';
import { assertUpgradedStore, olderAppends, type EventsRow, type OldAppend } from '../fixtures/older-stores.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-sqlite-migrations-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `store-${++files}.db`);
const RECORDED_AT = Date.UTC(2026, 10, 26, 12);
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * An append as Eventline at schema version k wrote it: 1 and 2 kept each stream's
 * version in streams, 3 listed only stream ids there, 4 numbers positions itself, past
 * the largest ever used, and from 5 an event given no id is stored without one.
 */
function appendAsVersion(db: Database.Database, k: number, { streamId, events }: OldAppend): void {
  const insert =
    k < 4
      ? db.prepare('INSERT INTO events (stream_id, version, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      : db.prepare(`INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, recorded_at) VALUES (
          max(coalesce((SELECT max(position) FROM events), 0), (SELECT position FROM positions_used WHERE id = 1)) + 1,
          ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    const current = db.prepare('SELECT coalesce(max(version), 0) FROM events WHERE stream_id = ?').pluck().get(streamId) as number;
    events.forEach((e, i) => insert.run(streamId, current + i + 1, e.eventId, e.type, e.data, e.metadata, RECORDED_AT));
    if (k <= 2) {
      db.prepare('INSERT INTO streams (stream_id, version) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version')
        .run(streamId, current + events.length);
    }
    if (k === 3) db.prepare('INSERT OR IGNORE INTO streams (stream_id) VALUES (?)').run(streamId);
  })();
}

/** What a file's schema says of it: every object with its SQL (white space folded), each table's columns and indexes. */
function catalog(db: Database.Database) {
  const objects = (db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all() as Array<{ type: string; name: string; sql: string | null }>)
    .map((o) => ({ ...o, sql: o.sql?.replace(/\s+/g, ' ') ?? null }));
  const tables = objects.filter((o) => o.type === 'table').map((o) => o.name);
  const indexes = (table: string) => db.prepare('SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name').all(table) as Array<{ name: string }>;
  const indexColumns = (index: string) => db.prepare('SELECT seqno, cid, name, "desc", coll, key FROM pragma_index_xinfo(?) ORDER BY seqno').all(index);
  return {
    objects,
    columns: tables.map((table) => ({ table, columns: db.prepare('SELECT * FROM pragma_table_info(?) ORDER BY cid').all(table) })),
    indexes: tables.map((table) => ({ table, indexes: indexes(table).map((index) => ({ ...index, columns: indexColumns(index.name) })) })),
    schemaVersion: db.prepare('SELECT version FROM eventline_schema').all(),
  };
}

/** Runs `inspect` on the file, opened read-only. */
function inspected<T>(file: string, inspect: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return inspect(db);
  } finally {
    db.close();
  }
}

let today: ReturnType<typeof catalog>;
before(async () => {
  const file = freshFile();
  await (await openEventStore(`sqlite:${file}`)).close();
  today = inspected(file, catalog);
});

test('a file created today has the steps’ schema, at the newest version', () => {
  assert.deepEqual(today.schemaVersion, [{ version: SCHEMA_VERSION }]);
  assert.deepEqual(today.objects.filter((o) => o.type === 'table').map((o) => o.name),
    ['event_id_tag', 'eventline_schema', 'events', 'positions_used', 'pruned_events', 'snapshots', 'sqlite_sequence', 'store_epoch']);
});

for (let k = 1; k < SCHEMA_VERSION; k++) {
  test(`a file of schema ${k} opens as a file created today, with its events as they were`, async () => {
    // Given a file that the first k steps built, holding events that version k wrote,
    // the newest of them since deleted,
    const file = freshFile();
    const old = new Database(file);
    migrate(old, { to: k });
    assert.deepEqual(old.prepare('SELECT version FROM eventline_schema').all(), [{ version: k }]);
    for (const append of olderAppends(k >= 5)) appendAsVersion(old, k, append);
    old.prepare(`DELETE FROM events WHERE stream_id = 'post-3'`).run();
    old.close();

    // when this Eventline opens it,
    const store = await openEventStore(`sqlite:${file}`);
    try {
      // then its catalog is a new file's,
      assert.deepEqual(inspected(file, catalog), today);

      // and its events read back as they were written, and it takes new appends.
      const { rows, tag } = inspected(file, (db) => ({
        rows: db.prepare(`SELECT position, stream_id, version, event_id, type, data, metadata, recorded_at AS recorded_ms
          FROM events ORDER BY position`).all() as EventsRow[],
        tag: db.prepare('SELECT tag FROM event_id_tag').pluck().get() as string,
      }));
      await assertUpgradedStore(store, rows, tag);
      // and it got an epoch as it upgraded.
      assert.match(await store.epoch(), UUID_V7);
    } finally {
      await store.close();
    }
  });
}
