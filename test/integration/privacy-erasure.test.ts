// Forgetting a subject and subject access, told as stories and run on memory, SQLite and
// PostgreSQL: a forgotten subject reads as erased everywhere and gets no data written
// again, its receipt is in the log and verifies, a key storage restored from an old
// backup forgets again on attach, a forged receipt stops attach, and an export lists
// exactly a person's fields, reading only the positions the subject index names.
// Nothing here prints a subject id or a plaintext value: comparisons that involve them
// go through `same`, whose failure message names only what was compared.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { NewEvent, RecordedEvent } from '../../src/core/events.js';
import { openKeyStorage } from '../../src/open/open-key-storage.js';
import { openEventStore, openStorage } from '../../src/open/open-store.js';
import {
  definePersonalData,
  erasureStream,
  isErased,
  openKeyring,
  openPrivacy,
  SUBJECT_INDEX_SETTING,
  type ErasureReceipt,
} from '../../src/privacy/index.js';
import { createEventStore, type EventStore } from '../../src/store/event-store.js';
import type { KeyStorage, StoredDataKey } from '../../src/store/key-storage.js';
import type { PayloadGuard } from '../../src/store/payload-guard.js';
import { loadPg } from '../../src/stores/postgres/driver.js';
import { openDatabase } from '../../src/stores/sqlite-db/driver.js';
import { postgresTestUrl } from '../../src/testing/index.js';
import { pruneStore, readArchive, retentionPolicy } from '../../src/retention/index.js';
import { PruneRefusedError } from '../../src/core/errors.js';

const ADA = 'author-1';
const GRACE = 'author-2';
const ADA_NAME = 'Ada Canary-3b1d';
const ADA_EMAIL = 'ada.canary-3b1d@example.org';
const GRACE_NAME = 'Grace Canary-8e20';
const GRACE_EMAIL = 'grace.canary-8e20@example.org';

const personalData = definePersonalData({
  AuthorRegistered: [
    { path: 'name', subject: (event) => event.data.authorId, category: 'profile' },
    { path: 'email', subject: (event) => event.data.authorId, category: 'contact' },
  ],
  PostCoAuthored: [
    { path: 'lead.name', subject: (event) => (event.data.lead as { id: string }).id, category: 'profile' },
    { path: 'co.name', subject: (event) => (event.data.co as { id: string }).id, category: 'profile' },
  ],
});

const registered = (authorId: string, name: string, email?: string): NewEvent => ({
  type: 'AuthorRegistered',
  data: email === undefined ? { authorId, name } : { authorId, name, email },
});
const coAuthored = (postId: string, lead: [string, string], co: [string, string]): NewEvent => ({
  type: 'PostCoAuthored',
  data: { postId, lead: { id: lead[0], name: lead[1] }, co: { id: co[0], name: co[1] } },
});
const published = (postId: string): NewEvent => ({ type: 'PostPublished', data: { postId, title: 'Hello' } });

/** Deep equality whose failure prints `what`, never the values (they may be personal). */
function same(actual: unknown, expected: unknown, what: string): void {
  assert.ok(isDeepStrictEqual(actual, expected), `${what} differs`);
}

/** One store kind: how to open its event store (with a guard or without) and its key storage, and how to back the keys up. */
interface Place {
  openStore(guard?: PayloadGuard): Promise<EventStore>;
  openKeys(): Promise<KeyStorage>;
  /** A copy of the key storage as it is now; the function opens the copy. */
  backupKeys(live: KeyStorage, keyIds: readonly string[]): Promise<() => Promise<KeyStorage>>;
  close(): Promise<void>;
}

const SETTINGS = ['kek-check', 'subject-secret', 'receipt-key', SUBJECT_INDEX_SETTING];

/** A backup through the KeyStorage API: its settings and the keys of these ids, written into `into()`. */
async function backupThroughApi(live: KeyStorage, keyIds: readonly string[], into: () => Promise<KeyStorage>) {
  const settings = new Map<string, string>();
  for (const name of SETTINGS) {
    const value = await live.getSetting(name);
    if (value !== undefined) settings.set(name, value);
  }
  const keys: StoredDataKey[] = await live.keysById(keyIds);
  return async () => {
    const restored = await into();
    for (const [name, value] of settings) await restored.setSetting(name, value);
    for (const key of keys) await restored.addKey(key);
    return restored;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'eventline-erasure-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let folders = 0;
const postgres = postgresTestUrl();
const extraSchemas: string[] = [];
after(async () => {
  if (postgres === undefined) return;
  await postgres.dropAll();
  const pg = await loadPg();
  const base = new URL(process.env.EVENTLINE_POSTGRES_URL!);
  base.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: base.toString() });
  await client.connect();
  try {
    // Our own names (t_, hex digits, _keys or _backup), so quoting them here is safe.
    for (const schema of extraSchemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

const kinds: { name: string; skip?: string; place(): Promise<Place> }[] = [
  {
    name: 'memory',
    async place() {
      // One storage under every store: a guarded one and a raw one see the same log.
      const storage = await openStorage('memory:');
      const opened: KeyStorage[] = [];
      return {
        openStore: async (guard) => createEventStore(storage, guard === undefined ? {} : { payloads: guard }),
        openKeys: async () => {
          const keys = await openKeyStorage('memory:');
          opened.push(keys);
          return keys;
        },
        backupKeys: (live, keyIds) => backupThroughApi(live, keyIds, () => openKeyStorage('memory:')),
        async close() {
          await storage.close();
          for (const keys of opened) await keys.close();
        },
      };
    },
  },
  {
    name: 'sqlite',
    async place() {
      const folder = join(dir, `store-${++folders}`);
      const url = `sqlite:${join(folder, 'events.db')}`;
      const opened: { close(): Promise<void> }[] = [];
      const track = <T extends { close(): Promise<void> }>(thing: T) => (opened.push(thing), thing);
      return {
        openStore: async (guard) => track(await openEventStore(url, guard === undefined ? {} : { payloads: guard })),
        openKeys: async () => track(await openKeyStorage(url)),
        async backupKeys() {
          // A file copy, as an operator would take it: the WAL folded in first.
          const keysFile = join(folder, 'keys.db');
          const db = await openDatabase(keysFile);
          db.pragma('wal_checkpoint(TRUNCATE)');
          db.close();
          const copy = join(folder, `keys-backup-${++folders}.db`);
          copyFileSync(keysFile, copy);
          return async () => track(await openKeyStorage(url, { path: copy }));
        },
        async close() {
          for (const thing of opened.reverse()) await thing.close();
        },
      };
    },
  },
  {
    name: 'postgres',
    ...(postgres === undefined ? { skip: 'EVENTLINE_POSTGRES_URL is not set' } : {}),
    async place() {
      const url = await postgres!.freshUrl();
      const schema = new URL(url).searchParams.get('schema')!;
      extraSchemas.push(`${schema}_keys`, `${schema}_backup`);
      const opened: { close(): Promise<void> }[] = [];
      const track = <T extends { close(): Promise<void> }>(thing: T) => (opened.push(thing), thing);
      return {
        openStore: async (guard) => track(await openEventStore(url, guard === undefined ? {} : { payloads: guard })),
        openKeys: async () => track(await openKeyStorage(url)),
        // Written back through the API into a schema of its own: what a restore of the key schema would hold.
        backupKeys: (live, keyIds) => backupThroughApi(live, keyIds, async () => track(await openKeyStorage(url, { schema: `${schema}_backup` }))),
        async close() {
          for (const thing of opened.reverse()) await thing.close();
        },
      };
    },
  },
];

/** A store kind set up for a story: a privacy attached to a guarded store, and a raw store over the same log. */
async function given(place: Place, kek = randomBytes(32)) {
  const keys = await place.openKeys();
  const privacy = await openPrivacy({ keyStorage: keys, kek, personalData });
  const store = await place.openStore(privacy.guard);
  await privacy.attach(store);
  const raw = await place.openStore();
  return { kek, keys, privacy, store, raw };
}

async function readAll(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll({ batchSize: 3 })) events.push(event);
  return events;
}

/** The key ids named by the sealed fields of the log (read raw). */
async function keyIdsInLog(raw: EventStore): Promise<string[]> {
  const text = JSON.stringify(await readAll(raw));
  return [...new Set([...text.matchAll(/"kid":"([^"]+)"/g)].map((match) => match[1]!))];
}

for (const kind of kinds) {
  describe(`erasure on ${kind.name}`, { skip: kind.skip ?? false }, () => {
    test('forgetting a subject: its fields read as erased everywhere, the other subject’s still open, the receipt is in the log and verifies, a second forget answers it again, and its data is refused', async () => {
      const place = await kind.place();
      try {
        const { privacy, store, raw } = await given(place);
        await store.appendToStream('author-a', [registered(ADA, ADA_NAME, ADA_EMAIL)]);
        await store.appendToStream('author-b', [registered(GRACE, GRACE_NAME, GRACE_EMAIL)]);
        await store.appendToStream('post-1', [coAuthored('post-1', [ADA, ADA_NAME], [GRACE, GRACE_NAME]), published('post-1')]);

        const receipt = await privacy.forgetSubject(store, ADA);
        assert.equal(receipt.categories, null);
        assert.equal(receipt.keyIds.length, 2, 'the profile and the contact key were deleted');
        assert.ok(privacy.verifyReceipt(receipt));

        const [ada] = await store.readStream('author-a');
        assert.ok(isErased((ada!.data as { name: unknown }).name) && isErased((ada!.data as { email: unknown }).email));
        const [grace] = await store.readStream('author-b');
        same((grace!.data as { name: unknown }).name, GRACE_NAME, 'the other subject’s name');
        const [post] = (await readAll(store)).filter((event) => event.type === 'PostCoAuthored');
        const { lead, co } = post!.data as { lead: { name: unknown }; co: { name: unknown } };
        assert.ok(isErased(lead.name), 'the forgotten subject’s part of a shared event is erased');
        same(co.name, GRACE_NAME, 'the other subject’s part of a shared event');

        const logged = await raw.readStream(erasureStream(receipt.subjectHash));
        same(logged.map((event) => event.type), ['SubjectForgotten', 'ErasureReceipt'], 'the erasure stream');
        same(logged[0]!.data, { subjectHash: receipt.subjectHash, categories: null }, 'SubjectForgotten');
        same(logged[1]!.data, receipt, 'the logged receipt');
        assert.ok(privacy.verifyReceipt(logged[1]!.data));
        assert.ok(!JSON.stringify(logged).includes(ADA), 'the erasure stream names the subject by its hash only');

        const count = (await readAll(raw)).length;
        same(await privacy.forgetSubject(store, ADA), receipt, 'the receipt of a second forget');
        assert.equal((await readAll(raw)).length, count, 'a second forget appends nothing');

        await assert.rejects(store.appendToStream('author-a', [registered(ADA, ADA_NAME)]), (error: Error) => {
          assert.equal((error as { code?: string }).code, 'SUBJECT_ERASED');
          assert.equal((error as { subjectHash?: string }).subjectHash, receipt.subjectHash);
          assert.ok(!error.message.includes(ADA), 'the error names the hash, not the subject');
          return true;
        });
        assert.equal((await readAll(raw)).length, count, 'nothing of the refused append is written');
      } finally {
        await place.close();
      }
    });

    test('a prune will not compact a stream of sealed personal data, whose state would hold it in the clear; it removes one whole, archived still sealed', async () => {
      const place = await kind.place();
      const folder = mkdtempSync(join(tmpdir(), 'eventline-prune-personal-'));
      try {
        const { store, raw } = await given(place);
        await store.appendToStream('author-a', [registered(ADA, ADA_NAME, ADA_EMAIL), { type: 'AuthorRenamed', data: { authorId: ADA } }]);
        const fold = { initialState: () => ({}), evolve: (_: unknown, event: { data: unknown }) => event.data, stateSchemaVersion: 1 };
        const before = await readAll(raw);
        await assert.rejects(
          pruneStore(store, { policies: [retentionPolicy({ name: 'short authors', category: 'author', maxCount: 1, fold })], archiveDir: folder }),
          (error: unknown) => {
            assert.ok(error instanceof PruneRefusedError);
            assert.equal(error.reason, 'personal-data');
            assert.deepEqual(error.streams, ['author-a']);
            assert.ok(!error.message.includes(ADA_NAME) && !error.message.includes(ADA_EMAIL), 'the error names the stream, never a value');
            return true;
          },
        );
        same(await readAll(raw), before, 'the refused prune wrote nothing');

        const whole = retentionPolicy({ name: 'every author', category: 'author', when: () => true, fold });
        const report = await pruneStore(store, { policies: [whole], archiveDir: folder });
        assert.equal(report.removed, 2);
        const archived: unknown[] = [];
        for await (const event of readArchive(report.archive!.file)) archived.push(event);
        const text = JSON.stringify(archived);
        assert.ok(!text.includes(ADA_NAME) && !text.includes(ADA_EMAIL), 'the archive holds the fields sealed');
      } finally {
        rmSync(folder, { recursive: true, force: true });
        await place.close();
      }
    });

    test('forgetting one category leaves the others readable, and refuses only that category', async () => {
      const place = await kind.place();
      try {
        const { privacy, store } = await given(place);
        await store.appendToStream('author-a', [registered(ADA, ADA_NAME, ADA_EMAIL)]);
        const receipt = await privacy.forgetSubject(store, ADA, { categories: ['contact'] });
        same(receipt.categories, ['contact'], 'the receipt’s categories');
        assert.equal(receipt.keyIds.length, 1);

        const [ada] = await store.readStream('author-a');
        const data = ada!.data as { name: unknown; email: unknown };
        assert.ok(isErased(data.email));
        same(data.name, ADA_NAME, 'the profile name');
        await store.appendToStream('author-a', [registered(ADA, ADA_NAME)]);
        await assert.rejects(store.appendToStream('author-a', [registered(ADA, ADA_NAME, ADA_EMAIL)]), { code: 'SUBJECT_ERASED' });

        // A later forget of everything is not covered by the contact receipt: it gets one of its own.
        const all = await privacy.forgetSubject(store, ADA);
        assert.equal(all.categories, null);
        assert.equal(all.keyIds.length, 1, 'the profile key');
        same(await privacy.forgetSubject(store, ADA, { categories: ['contact'] }), receipt, 'the contact receipt, asked again');
      } finally {
        await place.close();
      }
    });

    test('a key storage restored from a backup taken before the forget forgets again on attach: the restore brings nobody back', async () => {
      const place = await kind.place();
      try {
        const { kek, keys, privacy, store, raw } = await given(place);
        await store.appendToStream('author-a', [registered(ADA, ADA_NAME, ADA_EMAIL)]);
        await store.appendToStream('author-b', [registered(GRACE, GRACE_NAME, GRACE_EMAIL)]);
        const restore = await place.backupKeys(keys, await keyIdsInLog(raw));
        const receipt = await privacy.forgetSubject(store, ADA);

        const oldKeys = await restore();
        const hash = receipt.subjectHash;
        assert.equal(await oldKeys.isErased(hash, 'profile'), false, 'the backup predates the forget');
        const restored = await openPrivacy({ keyStorage: oldKeys, kek, personalData });
        const again = await place.openStore(restored.guard);
        // The guard serves no key until attach has re-applied the receipts: a read started
        // while attach runs waits for that, so it finds the restored key already gone.
        const attaching = restored.attach(again);
        const [ada] = await again.readStream('author-a');
        await attaching;

        assert.ok(isErased((ada!.data as { name: unknown }).name), 'read as erased after the restore');
        assert.ok(await oldKeys.isErased(hash, 'profile'), 'the ledger is re-applied');
        same((await oldKeys.keysById(receipt.keyIds)).length, 0, 'the restored keys of the subject');
        await assert.rejects(again.appendToStream('author-a', [registered(ADA, ADA_NAME)]), { code: 'SUBJECT_ERASED' });
        const [grace] = await again.readStream('author-b');
        same((grace!.data as { name: unknown }).name, GRACE_NAME, 'the other subject after the restore');
        assert.ok(restored.verifyReceipt(receipt), 'the receipt key is restored with the backup');
      } finally {
        await place.close();
      }
    });

    test('a crash between the forget and its receipt: a second forget still appends the receipt, with the key ids the storage reports (none by then)', async () => {
      const place = await kind.place();
      try {
        const { kek, keys, privacy, store, raw } = await given(place);
        await store.appendToStream('author-a', [registered(ADA, ADA_NAME, ADA_EMAIL)]);
        // The keyring's forget alone: what a process that stopped before the append left behind.
        const { subjectHash } = await (await openKeyring(keys, kek)).forget(ADA);
        assert.equal((await raw.readStream(erasureStream(subjectHash))).length, 0);

        const receipt = await privacy.forgetSubject(store, ADA);
        same(receipt.keyIds, [], 'the key ids of the late receipt');
        assert.ok(privacy.verifyReceipt(receipt));
        same((await raw.readStream(erasureStream(subjectHash))).map((event) => event.type), ['SubjectForgotten', 'ErasureReceipt'], 'the erasure stream');
        assert.equal(privacy.verifyReceipt({ ...receipt, keyIds: ['another-key'] }), false, 'an altered receipt does not verify');
      } finally {
        await place.close();
      }
    });

    test('a receipt whose MAC does not verify makes attach fail, naming its position, and the guard then serves nothing', async () => {
      const place = await kind.place();
      try {
        const { kek, keys, privacy, store, raw } = await given(place);
        await store.appendToStream('author-a', [registered(ADA, ADA_NAME)]);
        await store.appendToStream('author-b', [registered(GRACE, GRACE_NAME)]);
        const genuine = await privacy.forgetSubject(store, ADA);
        // The genuine receipt made over to the other subject: its MAC no longer fits.
        const graceHash = (await privacy.exportSubject(store, GRACE)).subjectHash;
        const forged: ErasureReceipt = { ...genuine, subjectHash: graceHash };
        const { lastPosition: position } = await raw.appendToStream(erasureStream(graceHash), [{ type: 'ErasureReceipt', data: forged }]);

        const next = await openPrivacy({ keyStorage: keys, kek, personalData });
        const again = await place.openStore(next.guard);
        await assert.rejects(next.attach(again), (error: Error) => {
          assert.equal((error as { code?: string }).code, 'ERASURE_RECEIPT_INVALID');
          assert.equal((error as { position?: number }).position, position);
          assert.match(error.message, new RegExp(`position ${position}\\b`));
          return true;
        });
        await assert.rejects(again.readStream('author-b'), { code: 'ERASURE_RECEIPT_INVALID' });
        assert.equal(await keys.isErased(graceHash, 'profile'), false, 'the forged receipt forgot nobody');
        assert.equal(next.verifyReceipt(forged), false);
      } finally {
        await place.close();
      }
    });

    test('export lists exactly a subject’s fields with their values and positions, reading only the indexed events; after a forget they are erased', async () => {
      const place = await kind.place();
      try {
        const keys = await place.openKeys();
        const privacy = await openPrivacy({ keyStorage: keys, kek: randomBytes(32), personalData });
        // A spy around the guard counts the events the store reveals.
        let revealed = 0;
        const spy: PayloadGuard = {
          handles: privacy.guard.handles,
          seal: (events) => privacy.guard.seal(events),
          reveal: (events) => ((revealed += events.length), privacy.guard.reveal(events)),
        };
        const store = await place.openStore(spy);
        await privacy.attach(store);
        const a = await store.appendToStream('author-a', [registered(ADA, ADA_NAME, ADA_EMAIL)]);
        await store.appendToStream('author-b', [registered(GRACE, GRACE_NAME, GRACE_EMAIL)]);
        await store.appendToStream('post-1', [published('post-1')]);
        const p2 = await store.appendToStream('post-2', [coAuthored('post-2', [ADA, ADA_NAME], [GRACE, GRACE_NAME])]);
        await store.appendToStream('post-3', [coAuthored('post-3', [GRACE, GRACE_NAME], [GRACE, GRACE_NAME]), published('post-3')]);
        const p4 = await store.appendToStream('post-4', [coAuthored('post-4', [GRACE, GRACE_NAME], [ADA, ADA_NAME])]);
        for (let i = 0; i < 5; i++) await store.appendToStream(`post-x${i}`, [coAuthored(`post-x${i}`, [GRACE, GRACE_NAME], [GRACE, GRACE_NAME])]);

        const [ada] = await store.readStream('author-a');
        const [post2] = await store.readStream('post-2');
        const [post4] = await store.readStream('post-4');
        const where = (event: RecordedEvent, path: string, category: string) => ({
          position: event.position,
          eventId: event.eventId,
          streamId: event.streamId,
          type: event.type,
          path,
          category,
        });
        assert.equal(ada!.position, a.lastPosition);
        assert.equal(post2!.position, p2.lastPosition);
        assert.equal(post4!.position, p4.lastPosition);

        revealed = 0;
        const exported = await privacy.exportSubject(store, ADA);
        same(
          exported.fields,
          [
            { ...where(ada!, 'name', 'profile'), value: ADA_NAME },
            { ...where(ada!, 'email', 'contact'), value: ADA_EMAIL },
            { ...where(post2!, 'lead.name', 'profile'), value: ADA_NAME },
            { ...where(post4!, 'co.name', 'profile'), value: ADA_NAME },
          ],
          'the export of the first subject',
        );
        same(exported.forgotten, [], 'what is forgotten of the subject');
        same(await keys.positionsOf(exported.subjectHash), [ada!.position, post2!.position, post4!.position], 'the indexed positions');
        // The catch-up read the whole log's personal events once; the export itself only the three indexed ones.
        revealed = 0;
        await privacy.exportSubject(store, ADA);
        assert.equal(revealed, 3, 'an export reads only the indexed events');
        assert.equal((await privacy.exportSubject(store, GRACE)).fields.length, 2 + 1 + 2 + 1 + 10);

        await privacy.forgetSubject(store, ADA, { categories: ['profile'] });
        const afterProfile = await privacy.exportSubject(store, ADA);
        same(
          afterProfile.fields,
          [
            { ...where(ada!, 'name', 'profile'), erased: true },
            { ...where(ada!, 'email', 'contact'), value: ADA_EMAIL },
            { ...where(post2!, 'lead.name', 'profile'), erased: true },
            { ...where(post4!, 'co.name', 'profile'), erased: true },
          ],
          'the export after the profile is forgotten',
        );
        same(afterProfile.forgotten, ['profile'], 'what is forgotten of the subject');

        // Forgotten whole, the key storage drops the subject's index: nothing is left to give.
        await privacy.forgetSubject(store, ADA);
        const afterAll = await privacy.exportSubject(store, ADA);
        assert.equal(afterAll.forgotten, 'all');
        same(afterAll.fields, [], 'the export of a subject forgotten whole');
      } finally {
        await place.close();
      }
    });

    test('the subject index catches up, on attach or export, with events another process appended', async () => {
      const place = await kind.place();
      try {
        const { kek, keys, privacy, store } = await given(place);
        const indexed = await store.appendToStream('author-a', [registered(ADA, ADA_NAME)]);
        await privacy.exportSubject(store, GRACE); // catches the index up to here
        assert.equal(await keys.getSetting(SUBJECT_INDEX_SETTING), String(indexed.lastPosition));

        // Another process appends; this one's index hears nothing of it.
        const other = await openPrivacy({ keyStorage: keys, kek, personalData });
        const elsewhere = await place.openStore(other.guard);
        await other.attach(elsewhere);
        const b = await elsewhere.appendToStream('author-b', [registered(GRACE, GRACE_NAME)]);
        await elsewhere.appendToStream('post-1', [published('post-1')]);
        const c = await elsewhere.appendToStream('post-2', [coAuthored('post-2', [ADA, ADA_NAME], [GRACE, GRACE_NAME])]);
        assert.equal(await keys.getSetting(SUBJECT_INDEX_SETTING), String(indexed.lastPosition), 'nothing indexed the new events yet');

        // A process that starts later catches the index up on attach.
        const later = await openPrivacy({ keyStorage: keys, kek, personalData });
        await later.attach(await place.openStore(later.guard));
        assert.equal(await keys.getSetting(SUBJECT_INDEX_SETTING), String(c.lastPosition));
        const graceHash = (await later.exportSubject(store, GRACE)).subjectHash;
        same(await keys.positionsOf(graceHash), [b.lastPosition, c.lastPosition], 'the positions of the second subject');
        const adaHash = (await privacy.exportSubject(store, ADA)).subjectHash;
        same(await keys.positionsOf(adaHash), [indexed.lastPosition, c.lastPosition], 'the positions of the first subject');
      } finally {
        await place.close();
      }
    });
  });
}

test('a rotation of the KEK re-wraps the receipt key: receipts made before it verify under the new KEK, and attach still applies them', async () => {
  const keys = await openKeyStorage('memory:');
  const storage = await openStorage('memory:');
  try {
    const kek = randomBytes(32);
    const privacy = await openPrivacy({ keyStorage: keys, kek, personalData });
    const store = createEventStore(storage, { payloads: privacy.guard });
    await privacy.attach(store);
    await store.appendToStream('author-a', [registered(ADA, ADA_NAME)]);
    const receipt = await privacy.forgetSubject(store, ADA);

    const newKek = randomBytes(32);
    await (await openKeyring(keys, kek)).rotate(newKek);
    await assert.rejects(openPrivacy({ keyStorage: keys, kek, personalData }), { code: 'KEK_INVALID' });
    const rotated = await openPrivacy({ keyStorage: keys, kek: newKek, personalData });
    assert.ok(rotated.verifyReceipt(receipt));
    await rotated.attach(createEventStore(storage, { payloads: rotated.guard }));
  } finally {
    await storage.close();
    await keys.close();
  }
});

test('openPrivacy refuses declarations that make the erasure events personal', async () => {
  const keys = await openKeyStorage('memory:');
  const declared = definePersonalData({ ErasureReceipt: [{ path: 'subjectHash', subject: (event) => event.data.subjectHash, category: 'profile' }] });
  await assert.rejects(openPrivacy({ keyStorage: keys, kek: randomBytes(32), personalData: declared }), { code: 'VALIDATION_FAILED' });
  await keys.close();
});

test('events written before their type was declared personal, naming no valid subject, are left out of the index and do not stop attach', async () => {
  const keys = await openKeyStorage('memory:');
  const storage = await openStorage('memory:');
  try {
    // Appended without the guard, in the clear, with a subject id the declarations refuse.
    await createEventStore(storage).appendToStream('legacy', [registered('legacy@example.org', ADA_NAME)]);
    const privacy = await openPrivacy({ keyStorage: keys, kek: randomBytes(32), personalData });
    const store = createEventStore(storage, { payloads: privacy.guard });
    await privacy.attach(store);
    await store.appendToStream('author-a', [registered(ADA, ADA_NAME)]);
    const exported = await privacy.exportSubject(store, ADA);
    assert.equal(exported.fields.length, 1);
    assert.equal(await keys.getSetting(SUBJECT_INDEX_SETTING), '2');
  } finally {
    await storage.close();
    await keys.close();
  }
});

test('a store whose privacy was never attached refuses personal data at once, instead of waiting for an attach that never comes', async () => {
  const keys = await openKeyStorage('memory:');
  const storage = await openStorage('memory:');
  try {
    const privacy = await openPrivacy({ keyStorage: keys, kek: randomBytes(32), personalData });
    const store = createEventStore(storage, { payloads: privacy.guard });

    await assert.rejects(store.appendToStream('author-a', [registered(ADA, ADA_NAME)]), /privacy is not attached|is not attached/);
    await assert.rejects(privacy.exportSubject(store, ADA), { code: 'VALIDATION_FAILED' });
    assert.equal(await store.headPosition(), 0, 'nothing was written');

    await privacy.attach(store);
    await store.appendToStream('author-a', [registered(ADA, ADA_NAME)]);
    assert.equal((await privacy.exportSubject(store, ADA)).fields.length, 1);
  } finally {
    await storage.close();
    await keys.close();
  }
});
