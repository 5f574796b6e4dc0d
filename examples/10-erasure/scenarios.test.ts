// The authors of the blog beyond the story: the rules of their commands, the authors read
// model on a forget, live and rebuilt (on memory), and what secure_delete does (on SQLite).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  DomainError,
  NotFoundError,
  openEventStore,
  openKeyStorage,
  openPrivacy,
  rebuildProjection,
  startProjections,
  type EventStore,
  type Privacy,
  type Projection,
} from '../../src/index.js';
import { deciderSpec } from '../../src/testing/index.js';
import {
  authorDecider,
  authorPersonalData,
  authorQueries,
  authorsProjection,
  forgetAuthor,
  handleAuthorCommand,
  newAuthorId,
  type AuthorEvent,
} from '../blog/index.js';
import { ADA, scan } from './index.js';

const spec = deciderSpec(authorDecider);
const authorId = newAuthorId();
const registered: AuthorEvent = { type: 'AuthorRegistered', data: { authorId, name: 'Ada', email: 'ada@example.org' } };
const forgotten: AuthorEvent = { type: 'AuthorForgotten', data: { authorId } };

describe('author commands', () => {
  test('register, then a second registration is refused', () => {
    spec.given([]).when({ type: 'RegisterAuthor', authorId, name: '  Ada ', email: 'ada@example.org' }).then([registered]);
    spec.given([registered]).when({ type: 'RegisterAuthor', authorId, name: 'Ada', email: 'ada@example.org' }).thenThrows(DomainError);
  });

  test('the shape is checked, and no error repeats the personal value', () => {
    const register = (fields: Record<string, unknown>) => ({ type: 'RegisterAuthor', authorId, name: 'Ada', email: 'ada@example.org', ...fields }) as never;
    spec.given([]).when(register({ authorId: 'ada@example.org' })).thenThrows({ name: 'ValidationError', field: 'authorId' });
    spec.given([]).when(register({ authorId: 'ada' })).thenThrows({ name: 'ValidationError', field: 'authorId' });
    spec.given([]).when(register({ name: '   ' })).thenThrows({ name: 'ValidationError', field: 'name' });
    spec.given([]).when(register({ name: 'x'.repeat(101) })).thenThrows({ name: 'ValidationError', field: 'name' });
    spec.given([]).when(register({ name: 'Ada\nLovelace' })).thenThrows({ name: 'ValidationError', field: 'name' });
    spec.given([]).when(register({ email: 'not-an-email' })).thenThrows({ name: 'ValidationError', field: 'email', message: /^(?!.*not-an-email)/ });
    spec.given([]).when(register({ twitter: '@ada' })).thenThrows({ name: 'ValidationError', field: 'twitter' });
  });

  test('a profile change carries only what changed', () => {
    spec.given([registered]).when({ type: 'ChangeAuthorProfile', authorId, name: 'Ada', email: 'ada@example.com' })
      .then([{ type: 'AuthorProfileChanged', data: { authorId, email: 'ada@example.com' } }]);
    spec.given([registered]).when({ type: 'ChangeAuthorProfile', authorId, name: 'Ada' }).thenThrows({ name: 'DomainError', message: 'Change changes nothing' });
    spec.given([]).when({ type: 'ChangeAuthorProfile', authorId, name: 'Ada' }).thenThrows(NotFoundError);
  });

  test('a forgotten author takes no change, and forgetting again records nothing', () => {
    spec.given([registered]).when({ type: 'ForgetAuthor', authorId }).then([forgotten]);
    spec.given([registered, forgotten]).when({ type: 'ForgetAuthor', authorId }).then([]);
    spec.given([registered, forgotten]).when({ type: 'ChangeAuthorProfile', authorId, name: 'Bo' }).thenThrows({ name: 'DomainError', message: 'Author was forgotten' });
    spec.given([]).when({ type: 'ForgetAuthor', authorId }).thenThrows(NotFoundError);
  });
});

describe('the authors read model on a forget', () => {
  async function open(): Promise<{ store: EventStore; privacy: Privacy; close: () => Promise<void> }> {
    const keyStorage = await openKeyStorage('memory:');
    const privacy = await openPrivacy({ keyStorage, kek: Buffer.alloc(32, 7), personalData: authorPersonalData });
    const store = await openEventStore('memory:', { payloads: privacy.guard });
    await privacy.attach(store);
    return { store, privacy, close: async () => (await store.close(), await keyStorage.close()) };
  }

  test('live: the row is blanked on AuthorForgotten; the other author keeps theirs', async () => {
    const { store, privacy, close } = await open();
    const running = startProjections(store, [authorsProjection], { pollIntervalMs: 20 });
    try {
      const [ada, bo] = [newAuthorId(), newAuthorId()];
      await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId: ada, name: 'Ada', email: 'ada@example.org' });
      await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId: bo, name: 'Bo', email: 'bo@example.org' });
      const { lastPosition } = await forgetAuthor(store, privacy, ada);
      await running.waitFor('authors', lastPosition);
      const authors = authorQueries(store.readModels);
      assert.deepEqual(await authors.author(ada), { authorId: ada, name: '[erased]', email: null, forgotten: true });
      assert.deepEqual(await authors.author(bo), { authorId: bo, name: 'Bo', email: 'bo@example.org', forgotten: false });
      // Again, as after a crash before the keys were destroyed: nothing new, the same receipt.
      const again = await forgetAuthor(store, privacy, ada);
      assert.equal(again.lastPosition, lastPosition);
    } finally {
      await running.stop();
      await close();
    }
  });

  test('rebuilt after the forget: the erased marker is stored as NULL, never as text', async () => {
    const { store, privacy, close } = await open();
    try {
      const ada = newAuthorId();
      await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId: ada, name: 'Ada', email: 'ada@example.org' });
      await handleAuthorCommand(store, { type: 'ChangeAuthorProfile', authorId: ada, name: 'Ada L.' });
      // Forgotten behind the read model's back (no AuthorForgotten): a rebuild still holds nothing of her.
      await privacy.forgetSubject(store, ada);
      await rebuildProjection(store, authorsProjection);
      const row = await store.readModels.transaction({ authors: store.readModels.table('authors') }, (db) => db.get('SELECT name, email, forgotten FROM {authors}'));
      assert.deepEqual({ ...row }, { name: null, email: null, forgotten: 0 });
    } finally {
      await close();
    }
  });
});

describe('secure_delete, the control', () => {
  // The authors projection with its PRAGMA left out: an UPDATE then leaves the old row's
  // bytes in the page's free space, and the scan finds them after the forget. So the story's 0 places
  // is the pragma's doing, and the scan can see what it looks for.
  const withoutSecureDelete: Projection = {
    ...authorsProjection,
    handle: (event, db) => authorsProjection.handle(event, { ...db, run: (sql, params) => (sql.startsWith('PRAGMA') ? Promise.resolve(0) : db.run(sql, params)) }),
  };

  test('without secure_delete, a forgotten name stays in blog.db', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'eventline-10-control-'));
    try {
      const url = `sqlite:${join(folder, 'blog.db')}`;
      const keyStorage = await openKeyStorage(url);
      const privacy = await openPrivacy({ keyStorage, kek: Buffer.alloc(32, 7), personalData: authorPersonalData });
      const store = await openEventStore(url, { payloads: privacy.guard });
      await privacy.attach(store);
      const running = startProjections(store, [withoutSecureDelete], { pollIntervalMs: 20 });
      const ada = newAuthorId();
      // As in the story: another author on the same page, and a change that rewrites Ada's row.
      await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId: ada, name: ADA.name, email: ADA.email });
      await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId: newAuthorId(), name: 'Grace Hopper', email: 'grace@example.org' });
      const changedAt = (await handleAuthorCommand(store, { type: 'ChangeAuthorProfile', authorId: ada, email: ADA.newEmail })).lastPosition;
      await running.waitFor('authors', changedAt);
      await running.waitFor('authors', (await forgetAuthor(store, privacy, ada)).lastPosition);
      await running.stop();
      await store.close();
      await keyStorage.close();
      const found = (await scan(folder)).find(({ file }) => file === 'blog.db');
      assert.ok(found !== undefined && found.places > 0, JSON.stringify(found));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
