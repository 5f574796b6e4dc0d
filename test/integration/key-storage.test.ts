// The key storages: the conformance suite on memory, SQLite and PostgreSQL, and what each
// SQL store alone must prove: that an erased key's bytes leave a SQLite key file, and that
// PostgreSQL processes racing on one key schema agree.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openEventStore } from '../../src/index.js';
import { openKeyStorage } from '../../src/open/open-key-storage.js';
import type { KeyStorage, StoredDataKey } from '../../src/store/key-storage.js';
import { loadPg } from '../../src/stores/postgres/driver.js';
import { openSqliteKeyStorage } from '../../src/stores/sqlite/key-storage.js';
import { keyStorageConformance, postgresTestUrl } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-keys-'));
let folders = 0;
/** The URL of an event store in a folder of its own, whose keys.db is thus fresh. */
const freshSqliteUrl = () => `sqlite:${join(dir, `store-${++folders}`, 'events.db')}`;
after(() => rmSync(dir, { recursive: true, force: true }));

function dataKey(subjectHash: string, category: string, wrapped = randomBytes(32).toString('base64')): StoredDataKey {
  return { keyId: randomUUID(), subjectHash, category, wrapped, kekId: 'kek-1', createdAt: Date.now() };
}

keyStorageConformance('memory', () => openKeyStorage('memory:'));

test('openKeyStorage refuses an unknown kind of store, and an option of another kind', async () => {
  await assert.rejects(openKeyStorage('mysql://db/app'), { code: 'STORE_OPEN_FAILED' });
  await assert.rejects(openKeyStorage(''), { code: 'STORE_OPEN_FAILED' });
  await assert.rejects(openKeyStorage('memory:', { path: 'keys.db' }), /option path does not apply/);
  await assert.rejects(openKeyStorage('sqlite:./data/events.db?keys=x.db'), /unknown parameter keys/);
});

keyStorageConformance('sqlite', () => openKeyStorage(freshSqliteUrl()), {
  async persistent() {
    const url = freshSqliteUrl();
    return () => openKeyStorage(url);
  },
});

describe('the SQLite key storage', () => {
  /** How often `needle` occurs in the key file and its -wal and -shm files. */
  function occurrences(path: string, needle: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      let count = 0;
      for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) count++;
      counts[file.slice(path.length) || 'keys.db'] = count;
    }
    return counts;
  }
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  test('an erased key leaves no byte of itself in keys.db, keys.db-wal or keys.db-shm', async () => {
    const path = join(dir, `canary-${++folders}`, 'keys.db');
    const keys = await openSqliteKeyStorage(path);
    try {
      const whole = `CANARY-WHOLE-${randomBytes(12).toString('hex')}`;
      const part = `CANARY-PART-${randomBytes(12).toString('hex')}`;
      const kept = `CANARY-KEPT-${randomBytes(12).toString('hex')}`;
      await keys.addKey(dataKey('s1', 'profile', whole));
      await keys.addKey(dataKey('s2', 'contact', part));
      await keys.addKey(dataKey('s2', 'profile', kept));
      // The search finds a key that is there: a count of 0 below means something.
      for (const canary of [whole, part, kept]) assert.ok(total(occurrences(path, canary)) > 0, `${canary} is written`);

      await keys.erase('s1', null, Date.now());
      await keys.erase('s2', ['contact'], Date.now());
      assert.deepEqual(occurrences(path, whole), { 'keys.db': 0, '-wal': 0, '-shm': 0 });
      assert.deepEqual(occurrences(path, part), { 'keys.db': 0, '-wal': 0, '-shm': 0 });
      assert.ok(total(occurrences(path, kept)) > 0);
    } finally {
      await keys.close();
    }
  });

  test('a rewrap leaves no byte of the old wrappings in the files', async () => {
    const path = join(dir, `rewrap-${++folders}`, 'keys.db');
    const keys = await openSqliteKeyStorage(path);
    try {
      const old = `CANARY-OLD-${randomBytes(12).toString('hex')}`;
      await keys.addKey(dataKey('s1', 'profile', old));
      assert.equal(await keys.rewrapAll(() => ({ wrapped: randomBytes(40).toString('base64'), kekId: 'kek-2' })), 1);
      assert.equal(total(occurrences(path, old)), 0);
    } finally {
      await keys.close();
    }
  });

  test('a new key file, and the folder it is in, are made readable by their owner only', { skip: process.platform === 'win32' && 'POSIX modes' }, async () => {
    const folder = join(dir, `modes-${++folders}`, 'nested');
    const keys = await openSqliteKeyStorage(join(folder, 'keys.db'));
    try {
      await keys.addKey(dataKey('s1', 'profile'));
      assert.equal(statSync(join(folder, 'keys.db')).mode & 0o777, 0o600);
      assert.equal(statSync(folder).mode & 0o777, 0o700);
    } finally {
      await keys.close();
    }
  });

  test('openKeyStorage puts keys.db beside the event store file, and takes another path as an option', async () => {
    const folder = join(dir, `beside-${++folders}`);
    const keys = await openKeyStorage(`sqlite:${join(folder, 'events.db')}?synchronous=full`);
    await keys.close();
    assert.ok(existsSync(join(folder, 'keys.db')));
    const elsewhere = await openKeyStorage(`sqlite:${join(folder, 'events.db')}`, { path: join(folder, 'vault', 'k.db') });
    await elsewhere.close();
    assert.ok(existsSync(join(folder, 'vault', 'k.db')));
    await assert.rejects(openKeyStorage(`sqlite:${join(folder, 'events.db')}`, { schema: 'x' }), { code: 'STORE_OPEN_FAILED' });
  });

  test('two storages on one key file agree on one key, and on an erase', async () => {
    const path = join(dir, `shared-${++folders}`, 'keys.db');
    const [a, b] = [await openSqliteKeyStorage(path), await openSqliteKeyStorage(path)];
    try {
      assert.equal(await a.initSetting('check', 'a'), 'a');
      assert.equal(await b.initSetting('check', 'b'), 'a');
      const first = await a.addKey(dataKey('s1', 'profile'));
      assert.deepEqual(await b.addKey(dataKey('s1', 'profile')), first);
      await b.erase('s1', null, Date.now());
      assert.equal(await a.currentKey('s1', 'profile'), undefined);
      assert.equal(await a.addKey(dataKey('s1', 'profile')), 'erased');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('an event store file is never made a key file', async () => {
    const path = join(dir, `events-${++folders}`, 'events.db');
    const store = await openEventStore(`sqlite:${path}`);
    await store.close();
    await assert.rejects(openSqliteKeyStorage(path), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'STORE_OPEN_FAILED');
      assert.match(error.message, /holds an event store/);
      return true;
    });
  });
});

const postgres = postgresTestUrl();
if (!postgres) {
  test('key storage conformance: postgres', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
} else {
  after(() => postgres.dropAll());
  /** Keys in the fresh schema itself (no event store there), so dropAll drops them. */
  const freshKeys = async (): Promise<{ url: string; open: () => Promise<KeyStorage> }> => {
    const url = await postgres.freshUrl();
    const schema = new URL(url).searchParams.get('schema')!;
    return { url, open: () => openKeyStorage(url, { schema }) };
  };

  keyStorageConformance('postgres', async () => (await freshKeys()).open(), { persistent: async () => (await freshKeys()).open });

  describe('the PostgreSQL key storage', () => {
    async function query<T>(sql: string, values: unknown[] = []): Promise<T[]> {
      const pg = await loadPg();
      const client = new pg.Client({ connectionString: process.env.EVENTLINE_POSTGRES_URL });
      await client.connect();
      try {
        return (await client.query(sql, values)).rows as T[];
      } finally {
        await client.end();
      }
    }

    /** Two key storages on one schema, as two processes would have. */
    async function twoStorages(): Promise<[KeyStorage, KeyStorage, () => Promise<void>]> {
      const { open } = await freshKeys();
      const a = await open();
      const b = await open();
      return [a, b, async () => void (await Promise.all([a.close(), b.close()]))];
    }

    test('two storages adding a key for one subject and category at once store one key', async () => {
      const [a, b, close] = await twoStorages();
      try {
        for (let i = 0; i < 20; i++) {
          const [first, second] = [dataKey(`s${i}`, 'profile'), dataKey(`s${i}`, 'profile')];
          const [x, y] = await Promise.all([a.addKey(first), b.addKey(second)]);
          assert.deepEqual(x, y);
          assert.equal((await a.keysById([first.keyId, second.keyId])).length, 1);
        }
      } finally {
        await close();
      }
    });

    test('an erase racing an addKey never leaves a key for the erased subject', async () => {
      const [a, b, close] = await twoStorages();
      try {
        for (let i = 0; i < 30; i++) {
          const key = dataKey(`s${i}`, i % 2 === 0 ? 'profile' : 'contact');
          const [answer] = await Promise.all([a.addKey(key), b.erase(key.subjectHash, i % 3 === 0 ? [key.category] : null, Date.now())]);
          assert.ok(answer === 'erased' || answer.keyId === key.keyId);
          assert.equal(await a.currentKey(key.subjectHash, key.category), undefined);
          assert.deepEqual(await b.keysById([key.keyId]), []);
          assert.equal(await a.isErased(key.subjectHash, key.category), true);
        }
      } finally {
        await close();
      }
    });

    test('openKeyStorage opens <schema>_keys beside the event schema, and refuses an event schema', async () => {
      const url = await postgres.freshUrl();
      const schema = new URL(url).searchParams.get('schema')!;
      const keys = await openKeyStorage(url);
      try {
        await keys.addKey(dataKey('s1', 'profile'));
        const [row] = await query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [`"${schema}_keys".keys`]);
        assert.equal(row!.found, `${schema}_keys.keys`);
        const store = await openEventStore(url);
        await store.close();
        await assert.rejects(openKeyStorage(url, { schema }), /holds an event store/);
      } finally {
        await keys.close();
        // dropAll knows the schemas it made, not this one.
        await query(`DROP SCHEMA IF EXISTS "${schema}_keys" CASCADE`);
      }
    });

    test('an erase vacuums the keys table', async () => {
      const { url, open } = await freshKeys();
      const schema = new URL(url).searchParams.get('schema')!;
      const keys = await open();
      try {
        await keys.addKey(dataKey('s1', 'profile'));
        await keys.erase('s1', null, Date.now());
        // Statistics may reach the view a moment later.
        const deadline = Date.now() + 5_000;
        let vacuumed = false;
        while (!vacuumed && Date.now() < deadline) {
          const rows = await query<{ at: Date | null }>(
            `SELECT last_vacuum AS at FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'keys'`,
            [schema],
          );
          vacuumed = rows[0]?.at != null;
          if (!vacuumed) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok(vacuumed, 'last_vacuum of the keys table is set');
      } finally {
        await keys.close();
      }
    });
  });
}
