// What only the PostgreSQL store has: a schema of its own, migrated on open with a
// schema-version table, a sequence that never reuses positions, and a pool.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { ConcurrencyError, DuplicateEventError, openEventStore, StoreOpenError, type EventStore, type PruneRange } from '../../src/index.js';
import { createEventStore, openStorage } from '../../src/storage.js';
import type { PostgresStorage } from '../../src/stores/postgres/postgres-storage.js';
import { postgresTestUrl } from '../../src/testing/index.js';
import { eventually, sleep } from '../../src/testing/conformance/suite.js';
import { SCHEMA_VERSION } from '../../src/stores/postgres/schema.js';
import { LOCK_LISTEN, lockKey } from '../../src/stores/postgres/identifiers.js';
import { appendNamedAheadOfFive, appendNamedAroundChosen } from '../fixtures/named-ids.js';

const postgres = postgresTestUrl();
const created = { type: 'PostWasCreated', data: { postId: '1' } };

async function sql<T extends object>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.EVENTLINE_POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const other = new URL(url);
  other.pathname = `/${database}`;
  return other.toString();
}

const schemaOf = (url: string) => new URL(url).searchParams.get('schema')!;

/** How many connections hold the schema's listen lock: the stores listening for its appends. */
async function listenLocks(url: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid = $2::oid AND objsubid = 2`,
    [LOCK_LISTEN, lockKey(schemaOf(url))],
  );
  return row!.n;
}

/**
 * Turns a new schema into what schema 5 was: every event with a stored UUID under a unique
 * constraint, no event-id tag, and a seven-argument append function.
 */
async function asSchema5(url: string): Promise<void> {
  const s = `"${schemaOf(url)}"`;
  await sql(`
    DROP TABLE ${s}.pruned_events;
    DROP TABLE ${s}.store_epoch;
    DROP TABLE ${s}.event_id_tag;
    DROP INDEX ${s}.events_event_id;
    UPDATE ${s}.events SET event_id = gen_random_uuid() WHERE event_id IS NULL;
    ALTER TABLE ${s}.events ALTER COLUMN event_id SET NOT NULL;
    ALTER TABLE ${s}.events ADD CONSTRAINT events_event_id UNIQUE (event_id);
    DROP FUNCTION ${s}.append_events(text, bigint, uuid[], text[], text[], text[], boolean, bigint[]);
    CREATE FUNCTION ${s}.append_events(text, bigint, uuid[], text[], text[], text[], boolean)
      RETURNS TABLE (out_event_id uuid, out_stream_id text, out_version bigint, out_position bigint)
      LANGUAGE sql AS 'SELECT NULL::uuid, NULL::text, NULL::bigint, NULL::bigint';
    UPDATE ${s}.schema_version SET version = 5;`);
}

if (!postgres) {
  test('postgres specifics', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
} else {
  after(() => postgres.dropAll());

  test('creates its tables in the schema the URL names, with a schema version', async () => {
    const url = await postgres.freshUrl();
    const store = await openEventStore(url);
    await store.appendToStream('post-1', [created]);
    await store.close();
    const tables = await sql<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schemaOf(url)]);
    assert.deepEqual(tables.map((t) => t.table_name), ['event_id_tag', 'events', 'pruned_events', 'schema_version', 'snapshots', 'store_epoch']);
    const [row] = await sql<{ version: number }>(`SELECT version FROM "${schemaOf(url)}".schema_version`);
    assert.equal(row!.version, SCHEMA_VERSION);
  });

  test('reads of the log keep to an index order whatever the statistics say', async () => {
    // A log that grew by a bulk load has stale statistics until autovacuum analyzes it;
    // the planner may then sort every row after a position for each page. The log is
    // read on connections whose planner has only an index's order on offer
    // (postgres-storage.ts), so the plan of a page stays an ordered walk of the key.
    const url = await postgres.freshUrl();
    const s = `"${schemaOf(url)}"`;
    const storage = (await openStorage(url)) as PostgresStorage;
    const store = createEventStore(storage);
    try {
      await store.appendToStream('post-1', [created, created, created]);
      // Statistics that say the table is empty, as before autovacuum's first visit.
      await sql(`ANALYZE ${s}.events`);
      await sql(`UPDATE pg_class SET reltuples = 0, relpages = 0 WHERE oid = '${s}.events'::regclass`).catch(() => undefined);
      const client = await storage.logPool.connect();
      try {
        const settings = await client.query<{ name: string; setting: string }>(
          `SELECT name, setting FROM pg_settings WHERE name IN ('enable_seqscan', 'enable_bitmapscan', 'enable_sort') ORDER BY name`);
        assert.deepEqual(settings.rows.map((r) => `${r.name}=${r.setting}`), ['enable_bitmapscan=off', 'enable_seqscan=off', 'enable_sort=off']);
        const plan = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT position FROM ${s}.events WHERE position > 0 AND type = ANY ('{PostWasCreated}') ORDER BY position LIMIT 500`);
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        assert.match(text, /Index Scan using events_pkey/);
        assert.doesNotMatch(text, /Sort|Bitmap|Seq Scan/);
      } finally {
        client.release();
      }
      assert.deepEqual((await store.readStream('post-1')).map((e) => e.version), [1, 2, 3]);
      // The main pool, which serves read models, keeps the planner's defaults.
      const { rows } = await storage.pool.query<{ setting: string }>(`SELECT setting FROM pg_settings WHERE name = 'enable_sort'`);
      assert.deepEqual(rows, [{ setting: 'on' }]);
    } finally {
      await store.close();
    }
  });

  test('several stores opening a new schema at once migrate it once', async () => {
    const url = await postgres.freshUrl();
    const stores = await Promise.all([1, 2, 3, 4].map(() => openEventStore(url)));
    await Promise.all(stores.map((s, i) => s.appendToStream(`post-${i}`, [created])));
    await Promise.all(stores.map((s) => s.close()));
    const rows = await sql(`SELECT version FROM "${schemaOf(url)}".schema_version`);
    assert.equal(rows.length, 1);
  });

  test('never hands out a position twice, even after the newest events are deleted', async () => {
    const url = await postgres.freshUrl();
    const store = await openEventStore(url);
    const { lastPosition } = await store.appendToStream('post-1', [created, created]);
    await sql(`DELETE FROM "${schemaOf(url)}".events`);
    const next = await store.appendToStream('post-2', [created]);
    assert.ok(next.lastPosition > lastPosition);
    await store.close();
  });

  /**
   * A prune of `ranges` started while another session holds post-1's version 1 (a row it
   * must delete), so the deletion waits; `meanwhile` runs then, and the row is let go.
   */
  async function pruneHeldUp(store: EventStore, url: string, ranges: PruneRange[], meanwhile: () => Promise<void>) {
    const blocker = new pg.Client({ connectionString: process.env.EVENTLINE_POSTGRES_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${schemaOf(url)}".events WHERE stream_id = 'post-1' AND version = 1 FOR UPDATE`);
      const pruning = store.retention.prune(ranges, { streamId: '$retention', events: [{ type: 'RetentionRun', data: { run: 'r' } }] });
      pruning.catch(() => {});
      await sleep(200);
      await meanwhile();
      await blocker.query('COMMIT');
      return pruning;
    } finally {
      await blocker.end();
    }
  }

  test('appends go on while a prune deletes: the append lock waits for the deletion, not the other way round', async () => {
    const url = await postgres.freshUrl();
    const store = await openEventStore(url);
    try {
      await store.appendToStream('post-1', [created, created, created]);
      await store.appendToStream('post-2', [created]);
      // Meanwhile writers append: to a stream of their own, and to one the prune cuts a prefix of.
      const appended: number[] = [];
      const pruned = await pruneHeldUp(store, url, [{ streamId: 'post-1', upToVersion: 2 }], async () => {
        appended.push((await store.appendToStream('post-3', [created])).lastPosition);
        appended.push((await store.appendToStream('post-2', [created], { expectedVersion: 1 })).lastPosition);
      });
      assert.equal(pruned.removed, 2);
      assert.ok(pruned.audit.lastPosition > Math.max(...appended), 'the audit event came after the appends it let through');
      assert.deepEqual((await store.readStream('post-1')).map((e) => e.version), [3]);
    } finally {
      await store.close();
    }
  });

  test('a stream removed whole that gets an event while the prune deletes makes the prune undo itself', async () => {
    const url = await postgres.freshUrl();
    const store = await openEventStore(url);
    try {
      await store.appendToStream('post-1', [created, created]);
      const pruning = pruneHeldUp(store, url, [{ streamId: 'post-1', upToVersion: 2, version: 2 }], async () => {
        await store.appendToStream('post-1', [created], { expectedVersion: 2 });
      });
      await assert.rejects(pruning, ConcurrencyError);
      assert.deepEqual((await store.readStream('post-1')).map((e) => e.version), [1, 2, 3], 'nothing was deleted');
      assert.deepEqual(await store.readStream('$retention'), []);
    } finally {
      await store.close();
    }
  });

  test('a row written around Eventline that takes the next version turns an append into a ConcurrencyError', async () => {
    const url = await postgres.freshUrl();
    const store = await openEventStore(url);
    await store.appendToStream('post-1', [created]);
    await sql(
      `INSERT INTO "${schemaOf(url)}".events (stream_id, version, event_id, type, data) VALUES ('post-1', 2, gen_random_uuid(), 'X', '{}')`,
    );
    await assert.rejects(store.appendToStream('post-1', [created], { expectedVersion: 1 }), (error) => {
      assert.ok(error instanceof ConcurrencyError);
      assert.equal(error.actual, 2);
      return true;
    });
    await store.close();
  });

  test('closing a store right after a subscription starts leaves no listening connection behind', async () => {
    const url = await postgres.freshUrl();
    const channel = `eventline_${schemaOf(url)}`;
    for (let i = 0; i < 5; i++) {
      const store = await openEventStore(url);
      store.subscribe({ handler: () => {} });
      await store.close();
    }
    await sleep(300);
    const listening = await sql(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${channel}"`]);
    assert.equal(listening.length, 0);
  });

  test('appends notify other processes only while one of them listens', async () => {
    const url = await postgres.freshUrl();
    const writer = await openEventStore(url);
    // A bare LISTEN, without the listen lock a store's listener holds: it hears what is sent.
    const ear = new pg.Client({ connectionString: process.env.EVENTLINE_POSTGRES_URL });
    await ear.connect();
    const heard: string[] = [];
    ear.on('notification', (n) => heard.push(n.payload!));
    await ear.query(`LISTEN "eventline_${schemaOf(url)}"`);
    try {
      await writer.appendToStream('post-1', [created]);
      await writer.appendToStream('post-1', [created, created]);
      await sleep(200);
      assert.deepEqual(heard, [], 'nobody listens: nothing is sent');

      const reader = await openEventStore(url);
      const handled: number[] = [];
      // A poll interval far beyond the test: only a notification wakes this subscription.
      const subscription = reader.subscribe({ handler: (e) => void handled.push(e.position), pollIntervalMs: 60_000 });
      await eventually(() => handled.length === 3, 'the first three events are handled', 5_000);
      // The subscription reads at once; its listener is ready once it holds the listen lock.
      await eventually(async () => (await listenLocks(url)) === 1, 'the listener holds the listen lock', 5_000);
      await writer.appendToStream('post-2', [created]);
      await writer.appendToStream('post-2', [created, created], { expectedVersion: 1 });
      await eventually(() => handled.length === 6 && heard.length === 2, 'both appends are handled and heard', 5_000);
      assert.deepEqual(heard, ['4', '6'], 'one notification per append, with its last position');
      await subscription.stop();
      await reader.close();

      await eventually(async () => (await listenLocks(url)) === 0, 'the listener has let the lock go', 5_000);
      await writer.appendToStream('post-3', [created]);
      await sleep(200);
      assert.deepEqual(heard, ['4', '6'], 'the listener has gone: nothing is sent again');
    } finally {
      await ear.end();
      await writer.close();
    }
  });

  test('a subscriber that starts while another process appends misses nothing and needs no polling', async () => {
    const url = await postgres.freshUrl();
    const writer = await openEventStore(url);
    const reader = await openEventStore(url);
    const handled: number[] = [];
    try {
      let appending = true;
      const appends = (async () => {
        for (let i = 1; appending || i <= 50; i++) await writer.appendToStream(`post-${i}`, [created], { expectedVersion: 'no_stream' });
      })();
      await sleep(20);
      const subscription = reader.subscribe({ handler: (e) => void handled.push(e.position), pollIntervalMs: 60_000 });
      await sleep(300);
      appending = false;
      await appends;
      const head = await writer.headPosition();
      await eventually(() => handled.length === head, 'every appended event is handled', 5_000);
      assert.deepEqual(handled, Array.from({ length: head }, (_, i) => i + 1));
      await subscription.stop();
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  test('refuses a schema from a newer Eventline', async () => {
    const url = await postgres.freshUrl();
    await (await openEventStore(url)).close();
    await sql(`UPDATE "${schemaOf(url)}".schema_version SET version = 99`);
    await assert.rejects(openEventStore(url), /has version 99, newer than this Eventline/);
  });

  test('upgrading a schema 4 store replaces its append function, streams table and read functions, and keeps its events and retries', async () => {
    // Schema 4's append_events took six arguments and always looked its event ids up,
    // and kept each stream's version in a streams table as well.
    const url = await postgres.freshUrl();
    const s = `"${schemaOf(url)}"`;
    const store = await openEventStore(url);
    const eventId = '0190a8f2-7c1e-7a00-8000-000000000001';
    const first = await store.appendToStream('post-1', [{ ...created, eventId }]);
    await store.close();
    await asSchema5(url);
    await sql(`DROP FUNCTION ${s}.append_events(text, bigint, uuid[], text[], text[], text[], boolean)`);
    await sql(`CREATE FUNCTION ${s}.append_events(text, bigint, uuid[], text[], text[], text[])
      RETURNS TABLE (out_event_id uuid, out_stream_id text, out_version bigint, out_position bigint)
      LANGUAGE sql AS 'SELECT NULL::uuid, NULL::text, NULL::bigint, NULL::bigint'`);
    await sql(`CREATE TABLE ${s}.streams (stream_id text COLLATE "C" PRIMARY KEY, version bigint NOT NULL)`);
    await sql(`INSERT INTO ${s}.streams VALUES ('post-1', 1)`);
    await sql(`CREATE FUNCTION ${s}.read_stream(text, bigint, bigint) RETURNS SETOF bigint LANGUAGE sql AS 'SELECT 1::bigint'`);
    await sql(`UPDATE ${s}.schema_version SET version = 4`);

    const upgraded = await openEventStore(url);
    try {
      const functions = await sql<{ args: string }>(
        `SELECT pg_get_function_identity_arguments(oid) AS args FROM pg_proc WHERE pronamespace = $1::regnamespace AND proname = 'append_events'`,
        [schemaOf(url)],
      );
      assert.equal(functions.length, 1);
      const readFunctions = await sql(`SELECT 1 FROM pg_proc WHERE pronamespace = $1::regnamespace AND proname LIKE 'read%'`, [schemaOf(url)]);
      assert.equal(readFunctions.length, 0);
      assert.match(functions[0]!.args, /p_lookup_ids boolean, p_named bigint\[\]$/);
      const streamsTables = await sql(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'streams'`, [schemaOf(url)]);
      assert.equal(streamsTables.length, 0);
      assert.deepEqual(await upgraded.appendToStream('post-1', [{ ...created, eventId }]), first);
      assert.equal((await upgraded.appendToStream('post-1', [created], { expectedVersion: 1 })).nextExpectedVersion, 2);
      assert.equal((await upgraded.readStream('post-1')).length, 2);
    } finally {
      await upgraded.close();
    }
  });

  test('upgrading a schema 5 store keeps the ids it stored, refuses them elsewhere, and names new events after their positions', async () => {
    const url = await postgres.freshUrl();
    const store = await openEventStore(url);
    const first = await store.appendToStream('post-1', [created, created]);
    await store.close();
    await asSchema5(url);

    const upgraded = await openEventStore(url);
    try {
      const stored = (await upgraded.readStream('post-1')).map((e) => e.eventId);
      assert.equal(stored[0]!.slice(14, 15), '4', 'the ids schema 5 stored are kept');
      assert.deepEqual(await upgraded.appendToStream('post-1', [created, created].map((e, i) => ({ ...e, eventId: stored[i]! }))), first);
      await assert.rejects(upgraded.appendToStream('post-2', [{ ...created, eventId: stored[1]! }]), DuplicateEventError);
      await upgraded.appendToStream('post-2', [created]);
      const [named] = await upgraded.readStream('post-2');
      assert.match(named!.eventId, /^00000000-0000-8003-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // Position 1 holds the id it was stored with: the id the schema would give it names no event.
      const unused = `00000000-0000-8001-${named!.eventId.slice(19)}`;
      const given = await upgraded.appendToStream('post-3', [{ ...created, eventId: unused }]);
      assert.deepEqual(await upgraded.appendToStream('post-3', [{ ...created, eventId: unused }]), given);
      await assert.rejects(upgraded.appendToStream('post-4', [{ ...created, eventId: unused }]), DuplicateEventError);
    } finally {
      await upgraded.close();
    }
  });

  test('names events appended without an id after their positions, and indexes only the ids callers chose', async () => {
    const url = await postgres.freshUrl();
    const s = `"${schemaOf(url)}"`;
    const store = await openEventStore(url);
    const { chosen, tag } = await appendNamedAroundChosen(store);
    await store.close();

    const rows = await sql<{ event_id: string | null }>(`SELECT event_id FROM ${s}.events ORDER BY position`);
    assert.deepEqual(rows.map((r) => r.event_id), [null, chosen, null]);
    const [index] = await sql<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'events_event_id'`, [schemaOf(url)]);
    assert.match(index!.indexdef, /UNIQUE INDEX events_event_id .* WHERE \(event_id IS NOT NULL\)/);

    // Another schema draws another tag.
    const other = await openEventStore(await postgres.freshUrl());
    await other.appendToStream('post-1', [created]);
    const [first] = await other.readStream('post-1');
    assert.notEqual(first!.eventId.slice(19), tag);
    await other.close();
  });

  test('an id of the schema that names a position not handed out yet: the event that reaches it is given an id of its own', async () => {
    const url = await postgres.freshUrl();
    const s = `"${schemaOf(url)}"`;
    const store = await openEventStore(url);
    const { tag } = await appendNamedAroundChosen(store);
    await appendNamedAheadOfFive(store, tag);
    await store.close();

    const rows = await sql<{ position: number }>(`SELECT position FROM ${s}.events WHERE event_id IS NOT NULL ORDER BY position`);
    assert.deepEqual(rows.map((r) => Number(r.position)), [2, 4, 5]);
    const [mark] = await sql<{ named_ahead: string }>(`SELECT named_ahead FROM ${s}.event_id_tag`);
    assert.equal(Number(mark!.named_ahead), 5);
  });

  test('a URL with a parameter the store does not know creates nothing', async () => {
    const schema = `refused_${process.pid}`;
    await assert.rejects(openEventStore(`${process.env.EVENTLINE_POSTGRES_URL}?schema=${schema}&synchronous=full`), /unknown parameter synchronous/);
    assert.deepEqual(await sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]), []);
  });

  test('a URL may carry the connection parameters node-postgres reads', async () => {
    const url = new URL(await postgres.freshUrl());
    url.searchParams.set('application_name', 'eventline-test');
    url.searchParams.set('sslmode', 'disable');
    const store = await openEventStore(url.toString());
    await store.appendToStream('post-1', [created]);
    assert.equal((await store.readStream('post-1')).length, 1);
    await store.close();
  });

  const base = process.env.EVENTLINE_POSTGRES_URL!;
  for (const [what, url, pattern] of [
    ['a schema name that is not an identifier', `${base}?schema=${encodeURIComponent('a"; DROP TABLE x; --')}`, /schema: must be a letter/],
    ['a pool size of 0', `${base}?pool=0`, /pool must be a whole number >= 1/],
    ['a misspelled parameter', `${base}?schem=typo`, /unknown parameter schem; a PostgreSQL URL takes schema, pool and host/],
    ['a schema given twice', `${base}?schema=a&schema=b`, /parameter schema is given more than once/],
    ['a server that is not there', 'postgres://postgres@127.0.0.1:1/test', /cannot open store/],
    ['a database that does not exist', withDatabase(base, 'no_such_database_here'), /does not exist/],
  ] as const) {
    test(`refuses to open ${what} with StoreOpenError`, async () => {
      await assert.rejects(openEventStore(url), (error) => {
        assert.ok(error instanceof StoreOpenError, String(error));
        assert.match(error.message, pattern);
        return true;
      });
    });
  }
}
