// Consumers and the store's epoch, on SQLite and PostgreSQL: a projection, a workflow and
// an outbox relay whose store was restored from a backup (under a new epoch) stop with
// CheckpointMismatchError instead of going on as if nothing happened, and go on once an
// operator recovers them; a checkpoint past the head stops its consumer too; and
// checkpoint tables made before epochs adopt the store's epoch as their consumers start.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { adoptRestoredStore, backupStore } from '../../src/backup/index.js';
import { CheckpointMismatchError, openEventStore, startProjections, type EventStore } from '../../src/index.js';
import { restoreStoreFiles } from '../../src/open/restore-files.js';
import { moveCheckpoint, type CheckpointOf } from '../../src/store/checkpoint-epoch.js';
import { postgresTestUrl } from '../../src/testing/index.js';
import { natsTestStreams } from '../../src/testing/nats.js';
import { natsPublisher, outboxStatus, startOutboxRelay } from '../../src/workflows/outbox/index.js';
import { appendOutboxMessages, eventually, withNats } from '../fixtures/outbox.js';
import { bankProjections } from '../fixtures/projections.js';
import { orderFlow, placed, shopCommands, startTestWorkflows } from '../fixtures/workflows.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-epoch-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const postgres = postgresTestUrl();
after(() => postgres?.dropAll());

const quiet = { warn: () => {} };
const deposit = (amount: number) => ({ type: 'Deposited', data: { account: 'a-1', amount } });
const BALANCES: CheckpointOf = { kind: 'projection', name: 'balances', table: 'eventline_projections' };
const ORDER: CheckpointOf = { kind: 'workflow', name: 'order', table: 'eventline_workflows' };
const OUTBOX: CheckpointOf = { kind: 'outbox relay', name: 'outbox', table: 'eventline_outbox' };

interface Place {
  name: string;
  fresh(): Promise<string>;
  /** Loses the store at `url`, as a disaster would, before it is restored there. */
  lose(url: string): Promise<void>;
}

let files = 0;
const sqlite: Place = {
  name: 'SQLite',
  fresh: async () => `sqlite:${join(dir, `store-${++files}.db`)}`,
  async lose(url) {
    const path = url.slice('sqlite:'.length);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
  },
};
const places: (Place | { name: string; unavailable: true })[] = [
  sqlite,
  postgres
    ? {
        name: 'PostgreSQL',
        fresh: () => postgres.freshUrl(),
        async lose(url) {
          const schema = new URL(url).searchParams.get('schema')!;
          const client = new pg.Client({ connectionString: process.env.EVENTLINE_POSTGRES_URL });
          await client.connect();
          await client.query(`DROP SCHEMA "${schema}" CASCADE`);
          await client.end();
        },
      }
    : { name: 'PostgreSQL', unavailable: true },
];

/** Backs the store at `url` up, lets `more` run on it, then loses it and restores the backup there; resolves to the restored store. */
async function restoredAfter(place: Place, url: string, store: EventStore, more: () => Promise<void>): Promise<{ store: EventStore; backupHead: number }> {
  const file = join(dir, `backup-${++files}`);
  const { head: backupHead } = await backupStore(store, file);
  await more();
  await store.close();
  await place.lose(url);
  await restoreStoreFiles(url, file);
  const restored = await openEventStore(url, { create: false });
  await adoptRestoredStore(restored);
  return { store: restored, backupHead };
}

/** What `promise` rejects with (a failure when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

/** Asserts a CheckpointMismatchError of this consumer and reason, against the store's epoch and head. */
async function assertMismatch(error: unknown, store: EventStore, of: CheckpointOf, reason: 'epoch' | 'ahead', position: number): Promise<void> {
  assert.ok(error instanceof CheckpointMismatchError, `expected CheckpointMismatchError, got ${String(error)}`);
  assert.deepEqual(
    { kind: error.kind, consumer: error.consumer, reason: error.reason, position: error.checkpoint.position, store: error.store },
    { kind: of.kind, consumer: of.name, reason, position, store: { epoch: await store.epoch(), head: await store.headPosition() } },
  );
  assert.equal(error.code, 'CHECKPOINT_MISMATCH');
}

for (const place of places) {
  describe(`consumers and the store's epoch on ${place.name}`, () => {
    if ('unavailable' in place) {
      test('PostgreSQL stories', (t) => t.skip('EVENTLINE_POSTGRES_URL is not set'));
      return;
    }

    test('a projection and a workflow on a store restored from a backup stop with CheckpointMismatchError, and go on once recovered', async () => {
      // Given a projection and a workflow that took every event of a store,
      const url = await place.fresh();
      let store = await openEventStore(url);
      const run = (on: EventStore) => ({
        projections: startProjections(on, bankProjections(), { logger: quiet, pollIntervalMs: 20, retryDelaysMs: [] }),
        workflows: startTestWorkflows(on, [orderFlow], { commands: shopCommands(on) }),
      });
      const stop = async (running: ReturnType<typeof run>) => {
        await running.projections.stop();
        await running.workflows.stop();
      };
      await store.appendToStream('account-a-1', [deposit(10), deposit(5)]);
      await store.appendToStream('order-o1', [placed('o1')]);
      let running = run(store);
      await running.projections.waitFor('balances', await store.headPosition());
      await running.workflows.idle();

      // when the store is backed up, goes on (the consumers with it), and is then lost and
      // restored from the backup, under a new epoch,
      const { store: restored, backupHead } = await restoredAfter(place, url, store, async () => {
        await store.appendToStream('account-a-1', [deposit(7)]);
        await store.appendToStream('order-o2', [placed('o2')]);
        await running.projections.waitFor('balances', await store.headPosition());
        await running.workflows.idle();
        await stop(running);
      });
      store = restored;

      // then, as new events arrive, neither takes them: each stops, naming its checkpoint
      // (the backup's) and the store's epoch and head.
      await store.appendToStream('account-a-1', [deposit(1)]);
      await store.appendToStream('order-o3', [placed('o3')]);
      running = run(store);
      const head = await store.headPosition();
      await assertMismatch(await rejection(running.projections.waitFor('balances', head, 5_000)), store, BALANCES, 'epoch', backupHead);
      const stopped = await rejection(running.workflows.idle(5_000));
      assert.ok(stopped instanceof CheckpointMismatchError && stopped.kind === 'workflow' && stopped.reason === 'epoch', String(stopped));
      const balances = await store.readModels.transaction({ balances: store.readModels.table('balances') }, (db) =>
        db.all<{ balance: number }>('SELECT balance FROM {balances}'),
      );
      assert.deepEqual(balances.map((b) => Number(b.balance)), [15], 'the deposit after the restore was not applied');
      await stop(running);

      // When the operator keeps each checkpoint under the new epoch (its state came back with the log),
      assert.equal(await moveCheckpoint(store, BALANCES, undefined), true);
      assert.equal(await moveCheckpoint(store, ORDER, undefined), true);

      // then both go on from there.
      running = run(store);
      await running.projections.waitFor('balances', head, 5_000);
      await running.workflows.idle(5_000);
      await stop(running);
      await store.close();
    });

    test('a projection whose checkpoint lies past the head stops with CheckpointMismatchError', async () => {
      // Given a projection's checkpoint, under the store's epoch, past the store's head
      // (its tables kept where the log was rolled back under them),
      const store = await openEventStore(await place.fresh());
      await store.appendToStream('account-a-1', [deposit(10)]);
      let projections = startProjections(store, bankProjections(), { logger: quiet, pollIntervalMs: 20 });
      await projections.waitFor('balances', 1);
      await projections.stop();
      await moveCheckpoint(store, BALANCES, 9);

      // when it starts, then it stops, naming its position and the head.
      projections = startProjections(store, bankProjections(), { logger: quiet, pollIntervalMs: 20 });
      await assertMismatch(await rejection(projections.waitFor('balances', 10, 5_000)), store, BALANCES, 'ahead', 9);
      await projections.stop();
      await store.close();
    });

    test('checkpoint tables made before epochs adopt the store\'s epoch as their consumers start', async () => {
      // Given a store whose projection checkpoint table an older Eventline made, without an epoch column,
      const store = await openEventStore(await place.fresh());
      await store.appendToStream('account-a-1', [deposit(10), deposit(2)]);
      const tables = { eventline_projections: store.readModels.table('eventline_projections') };
      await store.readModels.transaction(tables, async (db) => {
        await db.exec(`CREATE TABLE {eventline_projections} (
          name TEXT PRIMARY KEY, version INTEGER NOT NULL, position BIGINT NOT NULL, state TEXT NOT NULL, error TEXT,
          error_position BIGINT, generation INTEGER NOT NULL, updated_at BIGINT NOT NULL)`);
      });

      // when the projection starts, then it runs, and its checkpoint carries the store's epoch.
      const projections = startProjections(store, bankProjections(), { logger: quiet, pollIntervalMs: 20 });
      await projections.waitFor('balances', 2, 5_000);
      await projections.stop();
      const [row] = await store.readModels.transaction(tables, (db) => db.all<{ epoch: string }>(`SELECT epoch FROM {eventline_projections} WHERE name = 'balances'`));
      assert.equal(row!.epoch, await store.epoch());
      await store.close();
    });
  });
}

await withNats('the outbox relay and the store epoch', (natsUrl) => {
  const streams = natsTestStreams(natsUrl);
  after(() => streams.deleteAll());
  for (const place of places) {
    if ('unavailable' in place) continue;
    test(`on ${place.name}, an outbox relay on a store restored from a backup stops with CheckpointMismatchError and publishes nothing more`, async () => {
      // Given a relay that delivered every message of a store,
      const url = await place.fresh();
      let store = await openEventStore(url);
      const { stream, prefix } = streams.fresh();
      const publisher = natsPublisher({ url: natsUrl, stream, subjects: [`${prefix}.>`] });
      const start = (on: EventStore) => startOutboxRelay(on, { publisher, logger: quiet, pollIntervalMs: 20 });
      await appendOutboxMessages(store, `${prefix}.posts`, 5);
      let relay = start(store);
      await eventually(async () => (await relay.status()).undelivered === 0, 'the relay delivered the first messages');

      // when the store is backed up, the relay delivers more, and the backup is restored in its place,
      const running = relay;
      const { store: restored, backupHead } = await restoredAfter(place, url, store, async () => {
        await appendOutboxMessages(store, `${prefix}.posts`, 5);
        await eventually(async () => (await running.status()).undelivered === 0, 'the relay delivered the later messages');
        await running.stop();
      });
      store = restored;

      // then a relay started there stops, naming its checkpoint, and leaves new messages undelivered.
      await appendOutboxMessages(store, `${prefix}.posts`, 2);
      relay = start(store);
      await eventually(async () => relay.halted() !== undefined, 'the relay stopped');
      await assertMismatch(relay.halted(), store, OUTBOX, 'epoch', backupHead);
      assert.equal((await outboxStatus(store)).undelivered, 2);
      await relay.stop();
      await publisher.close();
      await store.close();
    });
  }
});
