// Copying a store into another, told as stories on real stores: memory into SQLite,
// SQLite into PostgreSQL and PostgreSQL into SQLite keep every event's id, version, time,
// data and metadata, in the source's order at the target's own positions; a stream whose
// prefix was pruned keeps its versions; sealed personal data crosses as ciphertext and
// opens with the same keys; a copy run again passes over what is there; a target that
// holds other events, or another store's copy, is refused with nothing written; and a
// target changed behind the copy's back fails verification, naming the stream.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  copyStore,
  CopyMismatchError,
  CopyRefusedError,
  definePersonalData,
  openEventStore,
  openKeyStorage,
  openPrivacy,
  POSITION_MAP,
  verifyCopy,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../src/index.js';
import { openDatabase } from '../../src/stores/sqlite-db/driver.js';
import { postgresTestUrl } from '../../src/testing/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-copy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const sqliteUrl = () => `sqlite:${join(dir, `store-${++files}.db`)}`;
const postgres = postgresTestUrl();
if (postgres) after(() => postgres.dropAll());

const memory = async () => 'memory:';
const sqlite = async () => sqliteUrl();
const pg = postgres === undefined ? undefined : () => postgres.freshUrl();

const ROUTES: { name: string; from: () => Promise<string>; to: (() => Promise<string>) | undefined; needsPostgres: boolean }[] = [
  { name: 'memory into SQLite', from: memory, to: sqlite, needsPostgres: false },
  { name: 'SQLite into PostgreSQL', from: sqlite, to: pg, needsPostgres: true },
  { name: 'PostgreSQL into SQLite', from: pg ?? sqlite, to: pg === undefined ? undefined : sqlite, needsPostgres: true },
];

const GIVEN_ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

/** Three posts written in turns, one event with its own id, one without metadata. */
async function writeBlog(store: EventStore): Promise<void> {
  for (let round = 1; round <= 4; round++) {
    for (const post of ['post-a', 'post-b', 'post-c']) {
      await store.appendToStream(post, [{ type: 'Edited', data: { round, body: `ünïcode ${post} ✓`, tags: [round, null] }, metadata: { correlationId: `c-${round}` } }]);
    }
  }
  await store.appendToStream('post-b', [{ type: 'Titled', data: { title: 'no metadata' } }]);
  await store.appendToStream('post-d', [{ type: 'Created', data: {}, eventId: GIVEN_ID, metadata: { by: 'x' } }]);
}

const asStored = (e: RecordedEvent) => ({ eventId: e.eventId, streamId: e.streamId, version: e.version, type: e.type, data: e.data, metadata: e.metadata, recordedAt: e.recordedAt.getTime() });

async function all(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const e of store.readAll()) events.push(e);
  return events;
}

for (const route of ROUTES) {
  describe(`copying ${route.name}`, { skip: route.needsPostgres && route.to === undefined ? 'EVENTLINE_POSTGRES_URL is not set' : false }, () => {
    test('every event keeps its id, version, time, data and metadata, in the source order at the target positions', async () => {
      const from = await openEventStore(await route.from());
      const to = await openEventStore(await route.to!());
      try {
        await writeBlog(from);
        const report = await copyStore(from, to, { batchSize: 4 });

        const source = await all(from);
        const target = await all(to);
        assert.equal(report.copied, source.length);
        assert.deepEqual(target.map(asStored), source.map(asStored), 'readAll gives the same events in the same order');
        for (const stream of ['post-a', 'post-b', 'post-c', 'post-d']) {
          assert.deepEqual((await to.readStream(stream)).map(asStored), (await from.readStream(stream)).map(asStored), `readStream ${stream}`);
        }
        const positions = target.map((e) => e.position);
        assert.ok(positions.every((p, i) => i === 0 || p > positions[i - 1]!), 'target positions rise in the source order');
        assert.equal(report.verification?.mismatches.length, 0);
        assert.equal(report.verification?.streams, 4);

        // The target carries on: the next append to a copied stream takes the next version.
        const next = await to.appendToStream('post-b', [{ type: 'Edited', data: {} }], { expectedVersion: 5 });
        assert.equal(next.nextExpectedVersion, 6);
      } finally {
        await Promise.all([from.close(), to.close()]);
      }
    });
  });
}

describe('copying a store whose streams were pruned', () => {
  test('a stream whose prefix was pruned keeps its versions, and goes on from them', async () => {
    const from = await openEventStore(sqliteUrl());
    const to = await openEventStore(pg === undefined ? sqliteUrl() : await pg());
    try {
      await from.appendToStream('counter-1', Array.from({ length: 6 }, (_, n) => ({ type: 'Counted', data: { n } })));
      await from.appendToStream('counter-2', [{ type: 'Counted', data: { n: 0 } }]);
      await from.retention.prune([{ streamId: 'counter-1', upToVersion: 4 }], { streamId: '$retention', events: [{ type: 'Pruned', data: {} }] });

      await copyStore(from, to);

      assert.deepEqual((await to.readStream('counter-1')).map((e) => e.version), [5, 6]);
      assert.equal(await to.retention.prunedTo('counter-1'), 4);
      const { nextExpectedVersion } = await to.appendToStream('counter-1', [{ type: 'Counted', data: { n: 6 } }], { expectedVersion: 6 });
      assert.equal(nextExpectedVersion, 7);
    } finally {
      await Promise.all([from.close(), to.close()]);
    }
  });
});

describe('copying sealed personal data', () => {
  const personalData = definePersonalData({ AuthorRegistered: [{ path: 'email', subject: (event) => event.data.authorId, category: 'contact' }] });
  const EMAIL = 'ada.canary-51c0@example.org';

  test('it crosses as ciphertext, and opens in the target with the same keys', async () => {
    const sourceUrl = sqliteUrl();
    const keysUrl = `sqlite:${join(dir, `keys-${++files}.db`)}`;
    const kek = randomBytes(32);
    const keys = await openKeyStorage(keysUrl);
    const privacy = await openPrivacy({ keyStorage: keys, kek, personalData });
    const sealed = await openEventStore(sourceUrl, { payloads: privacy.guard });
    await privacy.attach(sealed);
    await sealed.appendToStream('author-1', [{ type: 'AuthorRegistered', data: { authorId: 'author-1', email: EMAIL } } as NewEvent]);
    await sealed.close();

    // The copy opens both stores without keys: nothing is revealed on the way.
    const from = await openEventStore(sourceUrl);
    const targetUrl = sqliteUrl();
    const to = await openEventStore(targetUrl);
    await copyStore(from, to);
    const [raw] = await to.readStream('author-1');
    assert.ok(!JSON.stringify(raw!.data).includes(EMAIL), 'the target keeps the sealed field sealed');
    await Promise.all([from.close(), to.close()]);

    const again = await openPrivacy({ keyStorage: keys, kek, personalData });
    const opened = await openEventStore(targetUrl, { payloads: again.guard });
    await again.attach(opened);
    try {
      const [event] = await opened.readStream('author-1');
      assert.ok((event!.data as { email: string }).email === EMAIL, 'the same keys open it in the target');
    } finally {
      await opened.close();
      await keys.close();
    }
  });
});

describe('a copy run again, and targets it refuses', () => {
  test('a copy run again writes only what is new', async () => {
    const from = await openEventStore(sqliteUrl());
    const to = await openEventStore(sqliteUrl());
    try {
      await writeBlog(from);
      const first = await copyStore(from, to, { batchSize: 5 });
      await from.appendToStream('post-e', [{ type: 'Created', data: {} }]);
      const second = await copyStore(from, to, { batchSize: 5 });
      assert.equal(second.resumed, first.copied);
      assert.equal(second.copied, 1);
      assert.deepEqual((await all(to)).map(asStored), (await all(from)).map(asStored));
    } finally {
      await Promise.all([from.close(), to.close()]);
    }
  });

  test('a target holding events no copy wrote is refused, and nothing is written', async () => {
    const from = await openEventStore(sqliteUrl());
    const targetUrl = sqliteUrl();
    const to = await openEventStore(targetUrl);
    try {
      await writeBlog(from);
      await to.appendToStream('other-1', [{ type: 'Mine', data: {} }]);
      await assert.rejects(copyStore(from, to), (error: unknown) => error instanceof CopyRefusedError && error.reason === 'foreign-target');
      assert.equal(await to.headPosition(), 1);
      assert.equal(await tableExists(targetUrl, POSITION_MAP), false, 'no position map was made');
    } finally {
      await Promise.all([from.close(), to.close()]);
    }
  });

  test('a target filled by a copy from another store is refused', async () => {
    const first = await openEventStore(sqliteUrl());
    const second = await openEventStore(sqliteUrl());
    const to = await openEventStore(sqliteUrl());
    try {
      await writeBlog(first);
      await writeBlog(second);
      await copyStore(first, to);
      const head = await to.headPosition();
      await assert.rejects(copyStore(second, to), (error: unknown) => error instanceof CopyRefusedError && error.reason === 'other-source');
      assert.equal(await to.headPosition(), head);
    } finally {
      await Promise.all([first.close(), second.close(), to.close()]);
    }
  });

  test('the same store as source and target is refused', async () => {
    const store = await openEventStore('memory:');
    try {
      await assert.rejects(copyStore(store, store), (error: unknown) => error instanceof CopyRefusedError && error.reason === 'same-store');
    } finally {
      await store.close();
    }
  });
});

describe('verifying a copy', () => {
  test('an event changed in the target behind the copy fails verification, naming its stream', async () => {
    const from = await openEventStore(sqliteUrl());
    const targetUrl = sqliteUrl();
    const to = await openEventStore(targetUrl);
    try {
      await writeBlog(from);
      await copyStore(from, to);
      const db = await openDatabase(targetUrl.slice('sqlite:'.length));
      db.prepare(`UPDATE events SET data = '{"round":9}' WHERE stream_id = 'post-c' AND version = 2`).run();
      db.close();

      const report = await verifyCopy(from, to);
      assert.deepEqual(report.mismatches.map((m) => m.streamId), ['post-c']);
      await assert.rejects(copyStore(from, to), (error: unknown) => error instanceof CopyMismatchError && error.streamId === 'post-c');
    } finally {
      await Promise.all([from.close(), to.close()]);
    }
  });
});

async function tableExists(url: string, table: string): Promise<boolean> {
  const db = await openDatabase(url.slice('sqlite:'.length));
  try {
    return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
  } finally {
    db.close();
  }
}
