// Upgrades of a PostgreSQL store, one story per earlier schema version k: given a schema
// that steps 1..k alone built, holding events appended through version k's own
// append_events (the newest since deleted), when this Eventline opens it, then the schema
// is what a store created today has (tables, columns, constraints, indexes, sequences,
// functions and the schema version), its events read back as they were written, and it
// takes new appends.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { openEventStore } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/index.js';
import { lockKey } from '../../src/stores/postgres/identifiers.js';
import { migrate, RECORDED_MS, SCHEMA_VERSION, schemaNames } from '../../src/stores/postgres/schema.js';
import { assertUpgradedStore, olderAppends, type EventsRow, type OldAppend } from '../fixtures/older-stores.js';

const postgres = postgresTestUrl();
const schemaOf = (url: string) => new URL(url).searchParams.get('schema')!;

/**
 * An append as Eventline at schema version k made it, through that version's
 * append_events: 1 to 4 took an id for every event, 5 added whether to look the given ids
 * up, 6 the positions that ids of the schema name (none here) and events given no id.
 */
async function appendAsVersion(db: pg.ClientBase, s: string, k: number, { streamId, expected, events }: OldAppend): Promise<void> {
  const columns = (['eventId', 'type', 'data', 'metadata'] as const).map((key) => events.map((e) => e[key]));
  const values: unknown[] = [streamId, expected, ...columns];
  if (k >= 5) values.push(events.some((e) => e.eventId !== null));
  if (k >= 6) values.push(events.map(() => null));
  const args = values.map((_, i) => `$${i + 1}`).join(', ');
  const { rows } = await db.query<{ out_position: string | null }>(`SELECT out_position FROM ${s}.append_events(${args})`, values);
  assert.notEqual(rows[0]!.out_position, null, `version ${k} appended to ${streamId}`);
}

/** What the catalog says of a schema, with its name and lock key made the same for every schema. */
async function catalog(db: pg.ClientBase, schema: string) {
  const rows = async (text: string) => (await db.query(text, [schema])).rows;
  const found = {
    relations: await rows(`SELECT c.relname AS name, c.relkind AS kind, c.relpersistence AS persistence
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`),
    columns: await rows(`SELECT table_name, column_name, data_type, udt_name, collation_name, column_default, is_nullable,
        is_identity, identity_generation, identity_start, identity_increment
      FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`),
    constraints: await rows(`SELECT cl.relname AS table, con.conname AS name, con.contype AS kind, pg_get_constraintdef(con.oid) AS definition
      FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n ON n.oid = con.connamespace
      WHERE n.nspname = $1 ORDER BY 1, 2`),
    indexes: await rows(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2`),
    sequences: await rows(`SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by, cycle, cache_size
      FROM pg_sequences WHERE schemaname = $1 ORDER BY 1`),
    functions: await rows(`SELECT p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments, pg_get_functiondef(p.oid) AS definition
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY 1, 2`),
    triggers: await rows(`SELECT cl.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition
      FROM pg_trigger t JOIN pg_class cl ON cl.oid = t.tgrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE n.nspname = $1 AND NOT t.tgisinternal ORDER BY 1, 2`),
    schemaVersion: (await db.query(`SELECT version FROM ${schemaNames(schema).s}.schema_version`)).rows,
  };
  const text = JSON.stringify(found).replaceAll(schema, '{schema}').replace(new RegExp(`\\b${lockKey(schema)}\\b`, 'g'), '{key}');
  return JSON.parse(text) as typeof found;
}

if (!postgres) {
  test('postgres migrations', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
} else {
  const pool = new pg.Pool({ connectionString: process.env.EVENTLINE_POSTGRES_URL, max: 2 });
  let today: Awaited<ReturnType<typeof catalog>>;

  before(async () => {
    const url = await postgres.freshUrl();
    await (await openEventStore(url)).close();
    const db = await pool.connect();
    try {
      today = await catalog(db, schemaOf(url));
    } finally {
      db.release();
    }
  });
  after(async () => {
    await pool.end();
    await postgres.dropAll();
  });

  test('a store created today has the steps’ schema, at the newest version', () => {
    assert.deepEqual(today.schemaVersion, [{ version: SCHEMA_VERSION }]);
    assert.deepEqual(today.functions.map((f) => f.name), ['append_batch', 'append_event', 'append_events']);
  });

  for (let k = 1; k < SCHEMA_VERSION; k++) {
    test(`a store of schema ${k} opens as a store created today, with its events as they were`, async () => {
      const url = await postgres.freshUrl();
      const schema = schemaOf(url);
      const { s } = schemaNames(schema);
      const db = await pool.connect();
      try {
        // Given a schema that the first k steps built, holding events that version k
        // appended, the newest of them since deleted,
        await migrate(db, s, schema, { create: true, to: k });
        assert.deepEqual((await db.query(`SELECT version FROM ${s}.schema_version`)).rows, [{ version: k }]);
        for (const append of olderAppends(k >= 6)) await appendAsVersion(db, s, k, append);
        await db.query(`DELETE FROM ${s}.events WHERE stream_id = 'post-3'`);

        // when this Eventline opens it,
        const store = await openEventStore(url);
        try {
          // then its catalog is a new store's,
          assert.deepEqual(await catalog(db, schema), today);
          const [{ tag, named_ahead }] = (await db.query(`SELECT tag, named_ahead::int FROM ${s}.event_id_tag`)).rows as [{ tag: string; named_ahead: number }];
          assert.equal(named_ahead, 0);

          // and its events read back as they were written, and it takes new appends.
          const { rows } = await db.query<EventsRow>(`SELECT position::float8 AS position, stream_id, version::float8 AS version,
              event_id::text, type, data, metadata, ${RECORDED_MS}::float8 AS recorded_ms
            FROM ${s}.events ORDER BY position`);
          await assertUpgradedStore(store, rows, tag);
          // and it got an epoch as it upgraded.
          assert.match(await store.epoch(), /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        } finally {
          await store.close();
        }
      } finally {
        db.release();
      }
    });
  }
}
