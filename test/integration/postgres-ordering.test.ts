// The append lock is what keeps a polling reader from skipping events on PostgreSQL.
// The same story runs twice: on the real store, and on a copy whose append functions
// have the lock removed. Only the first may, and does, deliver every event.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openEventStore, type EventStore, type RecordedEvent } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/index.js';
import { startProcess } from '../../src/testing/processes/spawn.js';
import { appendEventFunction, appendEventsFunction } from '../../src/stores/postgres/migrations/007-append-event.js';
import { schemaNames } from '../../src/stores/postgres/schema.js';

const postgres = postgresTestUrl();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A slow writer takes a position and holds its transaction open; a fast writer
 * appends after it and commits at once; a reader polls from its last position.
 * Returns what the reader saw.
 */
async function slowWriterStory(url: string, store: EventStore): Promise<{ seen: RecordedEvent[]; heldId: string }> {
  const heldId = randomUUID();
  const seen: RecordedEvent[] = [];
  const poll = async () => {
    const after = seen.at(-1)?.position ?? 0;
    for await (const event of store.readAll({ after })) seen.push(event);
  };

  const slow = startProcess('hold', [url, 'post-slow', heldId, '1500', 'commit']);
  await slow.printed('holding');
  const fast = store.appendToStream('post-fast', [{ type: 'PostWasCreated', data: { postId: 'fast' } }]);
  while (!(await Promise.race([slow.result.then(() => true), sleep(20).then(() => false)]))) await poll();
  await fast;
  await poll();
  return { seen, heldId };
}

if (!postgres) {
  test('postgres ordering', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
} else {
  after(() => postgres.dropAll());

  test('with the append lock, a reader polling past a slow transaction still receives its event', async () => {
    const url = await postgres.freshUrl();
    const store = await openEventStore(url);
    try {
      const { seen, heldId } = await slowWriterStory(url, store);
      assert.deepEqual(seen.map((e) => e.streamId), ['post-slow', 'post-fast']);
      assert.equal(seen[0]!.eventId, heldId);
    } finally {
      await store.close();
    }
  });

  test('without the append lock, the same reader skips the slow transaction’s event', async () => {
    const url = await postgres.freshUrl();
    const store = await openEventStore(url);
    const schema = new URL(url).searchParams.get('schema')!;
    const client = new pg.Client({ connectionString: process.env.EVENTLINE_POSTGRES_URL });
    await client.connect();
    try {
      for (const append of [appendEventsFunction, appendEventFunction]) {
        const unlocked = append(schemaNames(schema)).replace(/PERFORM pg_advisory_xact_lock\([^;]*\);/, '');
        assert.notEqual(unlocked, append(schemaNames(schema)));
        await client.query(unlocked);
      }

      const { seen, heldId } = await slowWriterStory(url, store);
      assert.deepEqual(seen.map((e) => e.streamId), ['post-fast'], 'the reader moved past the uncommitted position');
      const stored = await store.readStream('post-slow');
      assert.equal(stored[0]!.eventId, heldId, 'the event is stored, at a position below what the reader has seen');
      assert.ok(stored[0]!.position < seen[0]!.position);
    } finally {
      await client.end();
      await store.close();
    }
  });
}
