// End-to-end: `eventline backup` and `eventline restore` as a user runs them, real
// processes on a real SQLite file and a real PostgreSQL schema: a backup taken while
// writer processes append restores to a consistent store at the manifest's head, under
// a new epoch, without the key storage; bad input is refused with one line and nothing
// written; and a prune in another process keeps a backup out until it dies.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openEventStore, openKeyStorage, startProjections, type RecordedEvent } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/index.js';
import { startProcess } from '../../src/testing/processes/spawn.js';
import { BANK, eventline, lines, ok, records } from '../fixtures/cli.js';
import { bankProjections } from '../fixtures/projections.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-backup-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const postgres = postgresTestUrl();
after(() => postgres?.dropAll());

interface Place {
  name: string;
  fresh(): Promise<string>;
  /** Whether a store is there at all (a file, a schema): "nothing written" for a refused restore. */
  exists(url: string): Promise<boolean>;
  /** Loses the store at `url`, as a disaster would. */
  lose(url: string): Promise<void>;
  /** The names of what the backup file holds (tables, or the dump's list). */
  contents(file: string): string;
}

let n = 0;
const sqlitePath = (url: string) => url.slice('sqlite:'.length);
const places: (Place | { name: string; unavailable: true })[] = [
  {
    name: 'SQLite',
    fresh: async () => `sqlite:${join(dir, `store-${++n}`, 'events.db')}`,
    exists: async (url) => existsSync(sqlitePath(url)),
    async lose(url) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(sqlitePath(url) + suffix, { force: true });
    },
    contents(file) {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]).join(' ');
      } finally {
        db.close();
      }
    },
  },
  postgres
    ? {
        name: 'PostgreSQL',
        fresh: () => postgres.freshUrl(),
        async exists(url) {
          return (await admin(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schemaOf(url)])).length > 0;
        },
        async lose(url) {
          await admin(`DROP SCHEMA "${schemaOf(url)}" CASCADE`);
        },
        contents: (file) => spawnSync('pg_restore', ['--list', file], { encoding: 'utf8' }).stdout,
      }
    : { name: 'PostgreSQL', unavailable: true },
];

const schemaOf = (url: string) => new URL(url).searchParams.get('schema')!;

async function admin(sql: string, params: unknown[] = []): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: process.env.EVENTLINE_POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function readLog(url: string): Promise<RecordedEvent[]> {
  const store = await openEventStore(url, { create: false });
  try {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    return events;
  } finally {
    await store.close();
  }
}

/** An event's place and identity, to compare two logs by. */
const placeOf = (e: RecordedEvent) => `${e.position} ${e.streamId}@${e.version} ${e.eventId}`;

async function seed(url: string, streams: number, events: number): Promise<void> {
  const store = await openEventStore(url);
  for (let s = 1; s <= streams; s++) {
    await store.appendToStream(`post-${s}`, Array.from({ length: events }, (_, i) => ({ type: 'Edited', data: { n: i } })));
  }
  await store.close();
}

for (const place of places) {
  describe(`eventline backup and restore on ${place.name}`, () => {
    if ('unavailable' in place) {
      test('PostgreSQL stories', (t) => t.skip('EVENTLINE_POSTGRES_URL is not set'));
      return;
    }

    test('a backup taken while writer processes append restores to a consistent store at the manifest\'s head, under a new epoch', { timeout: 120_000 }, async () => {
      // Given a store with a key storage beside it, and three writer processes appending,
      const url = await place.fresh();
      await seed(url, 1, 3);
      const keys = await openKeyStorage(url);
      await keys.close();
      // (each would write for minutes: they are killed once the backup is done)
      const writers = [1, 2, 3].map((w) => startProcess('writer', [url, `stream-${w}`, `w${w}`, '100000', '3']));
      const store = await openEventStore(url);
      try {
        while ((await store.headPosition()) < 60) await new Promise((r) => setTimeout(r, 20));

        // when it is backed up meanwhile,
        const file = join(dir, `backup-${++n}`);
        const backup = await eventline(['--store', url, 'backup', file, '--json']);
        assert.equal(backup.code, 0, backup.stderr);
        const manifest = JSON.parse(backup.stdout) as { head: number; epoch: string; sha256: string; store: string };
        while ((await store.headPosition()) <= manifest.head) await new Promise((r) => setTimeout(r, 20));
        await Promise.all(writers.map((w) => w.kill()));
        assert.ok(manifest.head >= 60, `the backup (head ${manifest.head}) was taken while the writers ran`);
        assert.equal(manifest.epoch, await store.epoch());
        // (the key storage is not in it: it is backed up on its own)
        assert.doesNotMatch(place.contents(file), /_keys|subject|key_schema/);
        assert.match(place.contents(file), /events/);
        const keysFile = join(dir, `keys-backup-${++n}`);
        const keysBackup = await eventline(['--store', url, 'keys', 'backup', keysFile]);
        assert.equal(keysBackup.code, 0, keysBackup.stderr);
        assert.match(place.contents(keysFile), /subject_positions/);
        assert.doesNotMatch(place.contents(keysFile), /\bevents\b/);

        // and the store is lost and restored from the backup,
        const original = (await readLog(url)).filter((e) => e.position <= manifest.head);
        await store.close();
        await place.lose(url);
        const restore = await eventline(['restore', file, '--into', url, '--json']);
        assert.equal(restore.code, 0, restore.stderr);
        const restored = JSON.parse(restore.stdout) as { head: number; epoch: string; previousEpoch: string };

        // then it holds exactly the log up to the manifest's head: readAll in order, each
        // stream's versions from 1 without a gap,
        assert.deepEqual({ head: restored.head, previousEpoch: restored.previousEpoch }, { head: manifest.head, previousEpoch: manifest.epoch });
        const log = await readLog(url);
        assert.deepEqual(log.map(placeOf), original.map(placeOf));
        const versions = new Map<string, number>();
        for (const [i, event] of log.entries()) {
          if (i > 0) assert.ok(event.position > log[i - 1]!.position);
          assert.equal(event.version, (versions.get(event.streamId) ?? 0) + 1, `${event.streamId} continues without a gap`);
          versions.set(event.streamId, event.version);
        }
        // under a new epoch.
        const reopened = await openEventStore(url, { create: false });
        assert.equal(await reopened.epoch(), restored.epoch);
        assert.notEqual(restored.epoch, manifest.epoch);
        await reopened.close();
      } finally {
        await Promise.all(writers.map((w) => w.kill()));
        await store.close().catch(() => {});
      }
    });

    test('bad input (a missing backup, an altered one, a store in place, an unknown URL) gets one line, a non-zero exit, and writes nothing', async () => {
      // Given a backup of a small store,
      const url = await place.fresh();
      await seed(url, 2, 2);
      const file = join(dir, `backup-${++n}`);
      assert.equal((await eventline(['--store', url, 'backup', file])).code, 0);
      const target = await place.fresh();
      const refused = async (args: string[], message: RegExp) => {
        const result = await eventline(args);
        assert.equal(result.code, 2, result.stderr);
        assert.equal(lines(result.stderr).length, 1, result.stderr);
        assert.match(result.stderr, message);
        assert.equal(result.stdout, '');
      };

      // when a restore names a backup that is not there, then it is refused,
      await refused(['restore', join(dir, 'no-such-backup'), '--into', url], /^eventline: backup no-such-backup: no manifest beside it/);
      // when the backup was altered, then its SHA-256 gives it away,
      const altered = join(dir, `altered-${++n}`);
      copyFileSync(file, altered);
      copyFileSync(`${file}.manifest.json`, `${altered}.manifest.json`);
      const bytes = readFileSync(altered);
      bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
      writeFileSync(altered, bytes);
      await refused(['restore', altered, '--into', target], /its SHA-256 is [0-9a-f]{64}, not the manifest's/);
      // when the backup's target store is a PostgreSQL schema of another name, or a SQLite file that is there,
      if (place.name === 'PostgreSQL') await refused(['restore', file, '--into', target], /restores only into a schema of that name/);
      const epoch = await (async () => {
        const store = await openEventStore(url, { create: false });
        const [e, head] = [await store.epoch(), await store.headPosition()];
        await store.close();
        return { e, head };
      })();
      await refused(['restore', file, '--into', url], /is not empty: a backup is restored only where there is no store yet/);
      // and when the URL names no kind of store.
      await refused(['restore', file, '--into', 'nosuch:store'], /unknown kind of store/);

      // Then nothing was written: no store where none was, the store in place as it was.
      assert.equal(await place.exists(target), false);
      const store = await openEventStore(url, { create: false });
      assert.deepEqual({ e: await store.epoch(), head: await store.headPosition() }, epoch);
      await store.close();
    });

    test('after a restore, recover lists the stale checkpoints and puts each back under the new epoch, refusing unknown consumers', { timeout: 120_000 }, async () => {
      // Given a store whose projection took every event, backed up, lost and restored,
      const url = await place.fresh();
      const store = await openEventStore(url);
      await store.appendToStream('account-a-1', [{ type: 'Deposited', data: { account: 'a-1', amount: 5 } }]);
      const projections = startProjections(store, bankProjections(), { logger: { warn: () => {} }, pollIntervalMs: 20 });
      await projections.waitFor('balances', 1);
      await projections.waitFor('event_types', 1);
      await projections.stop();
      await store.close();
      const file = join(dir, `backup-${++n}`);
      await ok(['--store', url, 'backup', file]);
      await place.lose(url);
      const restored = JSON.parse(await ok(['restore', file, '--into', url, '--json'])) as { epoch: string; consumers: { name: string }[] };
      assert.deepEqual(restored.consumers.map((c) => c.name), ['balances', 'event_types']);

      // when the operator lists the consumers, then each is stale: of another epoch;
      const listed = async () => records(await ok(['--store', url, '--json', 'recover', '--list'])).map((r) => [r.name, r.position, r.stale]);
      assert.deepEqual(await listed(), [['balances', 1, 'epoch'], ['event_types', 1, 'epoch']]);

      // an unknown consumer, or a projection reset to 0, is one line, exit 2, nothing written;
      for (const [args, message] of [
        [['recover', 'nosuch', '--accept'], /^eventline: consumer: no consumer is called "nosuch"; the store has projection balances, projection event_types\n$/],
        [['recover', 'balances', '--reset'], /^eventline: reset: projection balances keeps its rows: from 0 it would apply events twice/],
      ] as const) {
        const result = await eventline(['--store', url, ...args]);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, message);
      }
      assert.deepEqual(await listed(), [['balances', 1, 'epoch'], ['event_types', 1, 'epoch']]);

      // and once one is accepted and the other rebuilt, neither is stale, both under the new epoch.
      assert.match(await ok(['--store', url, 'recover', 'balances', '--accept']), /^projection balances: from position 1 to 1, under epoch /);
      assert.match(await ok(['--store', url, 'recover', 'projection:event_types', '--rebuild', '--projections', BANK]), /rebuilt from the first event \(1 events\)/);
      const after = records(await ok(['--store', url, '--json', 'recover', '--list']));
      assert.deepEqual(after.map((r) => [r.name, r.stale, r.epoch]), [['balances', null, restored.epoch], ['event_types', null, restored.epoch]]);
    });

    test('a prune holding the store in another process keeps a backup out, naming it, until it dies', { timeout: 60_000 }, async (t) => {
      // Given a prune in another process, stopped after its first compaction,
      const url = await place.fresh();
      await seed(url, 3, 5);
      const pruner = startProcess('pruner', [url, join(dir, `archives-${++n}`), 'compact', '1']);
      t.after(() => pruner.kill());
      await pruner.printed('stopped');

      // when a backup is asked for, then it is refused, naming the prune's process, and writes nothing;
      const file = join(dir, `backup-${++n}`);
      const busy = await eventline(['--store', url, 'backup', file]);
      assert.equal(busy.code, 3, busy.stderr);
      assert.match(busy.stderr, new RegExp(`^eventline: backup refused: the store's maintenance lock is held by prune \\(process ${pruner.pid} on `));
      assert.equal(lines(busy.stderr).length, 1);
      assert.equal(existsSync(file), false);

      // when the prune's process dies (kill -9), then the backup goes ahead.
      await pruner.kill();
      const done = await eventline(['--store', url, 'backup', file]);
      assert.equal(done.code, 0, done.stderr);
      assert.equal(existsSync(file), true);
    });
  });
}
