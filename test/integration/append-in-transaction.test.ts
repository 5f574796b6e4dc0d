// AppendOptions.inTransaction: work that commits or fails with the append's events, on
// every store; the workflows keep their checkpoint and indexes this way.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onEveryStore } from '../../src/testing/index.js';

const note = { type: 'Noted', data: { n: 1 } };

onEveryStore((name) => `work inside an append's transaction on ${name}`, (backend) => {
  test('given an append with work, the work sees the events and its rows commit with them', () =>
    backend.withStore(async (store) => {
      const tables = { marks: store.readModels.table('marks') };
      await store.readModels.transaction(tables, (db) => db.exec('CREATE TABLE IF NOT EXISTS {marks} (event_id TEXT PRIMARY KEY)'));
      const seen: string[] = [];

      await store.appendToStream('notes', [note], {
        inTransaction: async (appended, dbFor) => {
          seen.push(...appended.map((e) => e.type));
          await dbFor(tables).run('INSERT INTO {marks} (event_id) VALUES ($1)', [appended[0]!.eventId]);
        },
      });

      assert.deepEqual(seen, ['Noted']);
      const marks = await store.readModels.transaction(tables, (db) => db.all<{ event_id: string }>('SELECT event_id FROM {marks}'));
      assert.deepEqual(marks.map((m) => m.event_id), [(await store.readStream('notes'))[0]!.eventId]);
    }));

  test('when the work throws, neither the events nor its rows are written', () =>
    backend.withStore(async (store) => {
      await assert.rejects(
        store.appendToStream('notes', [note], {
          inTransaction: async () => {
            throw new Error('the index is full');
          },
        }),
        /the index is full/,
      );
      assert.equal((await store.stats()).events, 0);
    }));

  test('given work that is not a function, the append is refused, naming inTransaction, and writes nothing', () =>
    backend.withStore(async (store) => {
      await assert.rejects(store.appendToStream('notes', [note], { inTransaction: 'later' as never }), { name: 'ValidationError', field: 'inTransaction' });
      assert.equal((await store.stats()).events, 0);
    }));
});
