// Upcasting on every store: events written at version 1 by a store opened without event
// schemas read at version 3 through a store opened with them, on every path that reads
// events: readStream, readAll, foldStream, a subscription, a projection and its rebuild,
// a load past an older snapshot, a workflow's input and a subject export. Then a rename,
// the version an append records, and the refusals: a version newer than the code, an
// upcaster that throws or answers no object.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  defineEventSchemas,
  defineProjection,
  definePersonalData,
  defineWorkflow,
  loadState,
  openKeyStorage,
  openPrivacy,
  rebuildProjection,
  SCHEMA_VERSION_KEY,
  SchemaVersionError,
  startProjections,
  UpcastError,
  ValidationError,
  type EventStore,
  type RecordedEvent,
} from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import { startTestWorkflows } from '../fixtures/workflows.js';

interface PostV1 {
  postId: string;
  title: string;
  authorId: string;
  authorEmail?: string;
}
type PostV2 = PostV1 & { tags: string[] };

const schemas = defineEventSchemas({
  PostWasCreated: {
    version: 3,
    upcast: {
      1: (data: PostV1) => ({ ...data, tags: [] }),
      2: ({ authorId, authorEmail, ...rest }: PostV2) => ({ ...rest, author: authorEmail === undefined ? { id: authorId } : { id: authorId, email: authorEmail } }),
    },
    renamedFrom: ['PostCreated'],
  },
});

const v1: PostV1 = { postId: 'p1', title: 'Hello', authorId: 'ada' };
const v3 = { postId: 'p1', title: 'Hello', tags: [], author: { id: 'ada' } };

/** A post written at version 1 by a store without schemas; answers a store over the same log with them. */
async function givenV1Post(store: EventStore, reopen: (options: { schemas: typeof schemas }) => Promise<EventStore>, type = 'PostWasCreated'): Promise<EventStore> {
  await store.appendToStream('post-p1', [{ type, data: v1 }]);
  return reopen({ schemas });
}

async function all(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll()) events.push(event);
  return events;
}

onEveryStore(
  (name) => `upcasting on ${name}`,
  (backend) => {
    test('readStream, readAll and foldStream hand out the v3 shape, with the metadata naming version 3', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        const current = await givenV1Post(store, reopen);
        const [read] = await current.readStream('post-p1');
        assert.deepEqual(read!.data, v3);
        assert.equal(read!.metadata?.[SCHEMA_VERSION_KEY], 3);
        assert.deepEqual((await all(current)).map((e) => e.data), [v3]);
        const folded = await current.foldStream('post-p1', [] as unknown[], (seen, event) => [...seen, event.data]);
        assert.deepEqual(folded.state, [v3]);
        // The store without schemas still reads what was stored.
        assert.deepEqual((await store.readStream('post-p1'))[0]!.data, v1);
      }));

    test('a subscription hands out the v3 shape', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        const current = await givenV1Post(store, reopen);
        const seen: unknown[] = [];
        let handled!: () => void;
        const done = new Promise<void>((resolve) => (handled = resolve));
        const subscription = current.subscribe({ handler: (event) => (seen.push(event.data), handled()), pollIntervalMs: 20 });
        await done;
        await subscription.stop();
        assert.deepEqual(seen, [v3]);
      }));

    test('a projection and its rebuild see the v3 shape', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        const current = await givenV1Post(store, reopen);
        const seen: unknown[] = [];
        const posts = defineProjection({
          name: 'upcast_posts',
          eventTypes: ['PostWasCreated'],
          tables: ['upcast_posts'],
          setup: 'CREATE TABLE IF NOT EXISTS {upcast_posts} (id TEXT PRIMARY KEY, author TEXT NOT NULL)',
          handle: async (event, db) => {
            seen.push(event.data);
            const { postId, author } = event.data as typeof v3;
            await db.run('INSERT INTO {upcast_posts} (id, author) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [postId, author.id]);
          },
        });
        const running = startProjections(current, [posts], { pollIntervalMs: 20 });
        try {
          await running.waitFor('upcast_posts', await current.headPosition());
        } finally {
          await running.stop();
        }
        await rebuildProjection(current, posts);
        assert.deepEqual(seen, [v3, v3]);
      }));

    test('a load ignores a snapshot of an older state schema and folds the v3 events', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        const current = await givenV1Post(store, reopen);
        // State schema 1 held the author id as a string; schema 2 holds the author object.
        await current.snapshots.save({ streamId: 'post-p1', version: 1, schemaVersion: 1, state: { author: 'ada' } });
        const folder = { initialState: () => ({ author: null as unknown }), evolve: (_: unknown, event: { data: unknown }) => ({ author: (event.data as typeof v3).author }) };
        const loaded = await loadState(current, 'post-p1', folder, { snapshots: { schemaVersion: 2, logger: { warn: () => {} } } });
        assert.equal(loaded.snapshotVersion, 0);
        assert.deepEqual(loaded.state, { author: { id: 'ada' } });
      }));

    test('a workflow takes its input in the v3 shape', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        const current = await givenV1Post(store, reopen);
        const inputs: unknown[] = [];
        const welcome = defineWorkflow<null>({
          name: 'welcome',
          inputs: ['PostWasCreated'],
          correlate: (event) => (event.data as { postId: string }).postId,
          initialState: () => null,
          evolve: (state) => state,
          decide: (input) => (inputs.push(input.data), []),
        });
        const workflows = startTestWorkflows(current, [welcome]);
        try {
          await workflows.idle();
        } finally {
          await workflows.stop();
        }
        assert.deepEqual(inputs, [v3]);
      }));

    test('a subject export sees a personal field an upcaster moved: revealed at its stored path, then upcast', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        const email = 'ada.canary-51c0@example.org';
        const subject = (event: { data: Record<string, unknown> }) => (event.data.author as { id?: string } | undefined)?.id ?? event.data.authorId;
        // The declarations name the paths of every stored shape: sealed fields open where they were sealed.
        const personalData = definePersonalData({
          PostWasCreated: [
            { path: 'authorEmail', subject, category: 'contact' },
            { path: 'author.email', subject, category: 'contact' },
          ],
        });
        const keyStorage = await openKeyStorage('memory:');
        try {
          const privacy = await openPrivacy({ keyStorage, kek: randomBytes(32), personalData });
          const writer = await reopen({ payloads: privacy.guard });
          await privacy.attach(writer);
          await writer.appendToStream('post-p1', [{ type: 'PostWasCreated', data: { ...v1, authorEmail: email } }]);
          assert.notEqual(((await store.readStream('post-p1'))[0]!.data as PostV1).authorEmail, email, 'stored sealed');

          const current = await reopen({ payloads: privacy.guard, schemas });
          const exported = await privacy.exportSubject(current, 'ada');
          assert.deepEqual(
            exported.fields.map(({ path, value }) => ({ path, value })),
            [{ path: 'author.email', value: email }],
          );
          const revealed = { ...v3, author: { id: 'ada', email } };
          assert.deepEqual((await current.readStream('post-p1'))[0]!.data, revealed);
          assert.deepEqual((await current.foldStream('post-p1', [] as unknown[], (seen, event) => [...seen, event.data])).state, [revealed]);
        } finally {
          await keyStorage.close();
        }
      }));

    test('an event stored under an older name reads under the new one, and a filter on the new name finds it', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        const current = await givenV1Post(store, reopen, 'PostCreated');
        const [read] = await current.readStream('post-p1');
        assert.equal(read!.type, 'PostWasCreated');
        assert.deepEqual(read!.data, v3);
        const page = await current.readAllPage({ types: ['PostWasCreated'] });
        assert.deepEqual(page.map((e) => [e.type, e.data]), [['PostWasCreated', v3]]);
      }));

    test('an append records the current version; one read and appended again keeps the version of its data', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        const current = await givenV1Post(store, reopen);
        await current.appendToStream('post-p2', [{ type: 'PostWasCreated', data: { ...v3, postId: 'p2' } }, { type: 'Other', data: {} }]);
        const [created, other] = await store.readStream('post-p2');
        assert.equal(created!.metadata?.[SCHEMA_VERSION_KEY], 3);
        assert.equal(other!.metadata, undefined, 'an undeclared type carries no version');

        const [read] = await current.readStream('post-p1');
        await current.appendToStream('copy-p1', [{ type: read!.type, data: read!.data, ...(read!.metadata && { metadata: read!.metadata }) }]);
        assert.deepEqual((await current.readStream('copy-p1'))[0]!.data, v3);
        // An older version named on append is kept and upcast on read: a copy of stored events.
        await current.appendToStream('copy-raw', [{ type: 'PostWasCreated', data: v1, metadata: { [SCHEMA_VERSION_KEY]: 1 } }]);
        assert.deepEqual((await current.readStream('copy-raw'))[0]!.data, v3);
        await assert.rejects(
          current.appendToStream('post-p3', [{ type: 'PostWasCreated', data: v3, metadata: { [SCHEMA_VERSION_KEY]: 4 } }]),
          (error) => error instanceof ValidationError && error.field === `events[0].metadata.${SCHEMA_VERSION_KEY}`,
        );
        assert.deepEqual((await store.readStream('post-p3')), [], 'nothing written');
      }));

    test('an event stored at a version newer than the code knows is refused on read, naming type and versions', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        const { lastPosition } = await store.appendToStream('post-p1', [{ type: 'PostWasCreated', data: v3, metadata: { [SCHEMA_VERSION_KEY]: 4 } }]);
        const current = await reopen({ schemas });
        const refused = (error: unknown) => error instanceof SchemaVersionError && error.version === 4 && error.currentVersion === 3 && error.position === lastPosition;
        await assert.rejects(current.readStream('post-p1'), refused);
        await assert.rejects(all(current), refused);
        await assert.rejects(current.foldStream('post-p1', 0, (n) => n + 1), refused);
      }));

    test('an upcaster that throws or answers no object is an UpcastError with its cause, never the data', () =>
      backend.withStore(async (store, _openOther, reopen) => {
        await store.appendToStream('post-p1', [{ type: 'PostWasCreated', data: v1 }]);
        const failure = new Error('no tags for this one');
        const throwing = defineEventSchemas({ PostWasCreated: { version: 2, upcast: { 1: () => { throw failure; } } } });
        const answeringNull = defineEventSchemas({ PostWasCreated: { version: 2, upcast: { 1: () => null as unknown as object } } });
        const a = await reopen({ schemas: throwing });
        await assert.rejects(a.readStream('post-p1'), (error) => error instanceof UpcastError && error.reason === 'threw' && error.cause === failure && error.fromVersion === 1 && error.position === 1);
        const b = await reopen({ schemas: answeringNull });
        await assert.rejects(b.readStream('post-p1'), (error) => error instanceof UpcastError && error.reason === 'not-an-object' && !error.message.includes('Hello'));
      }));
  },
);
