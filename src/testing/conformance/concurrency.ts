// Concurrency: many writers on one stream, in one process and in several, and a
// reader that must see every event exactly once, in position order, while writers
// commit out of step and one transaction stays open or rolls back.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '../../core/events.js';
import { openEventStore } from '../../open/open-store.js';
import { startProcess } from '../processes/spawn.js';
import { collect, defineCase, defineProcessCase, sleep, type ConformanceOptions } from './suite.js';
import { appendWithRetry } from './writers.js';

/** Versions run 1..n and every (writer, seq, i) the writers wrote is there exactly once. */
function assertEveryWriteOnce(events: RecordedEvent[], writers: string[], count: number, perAppend = 1): void {
  assert.equal(events.length, writers.length * count * perAppend);
  events.forEach((e, i) => assert.equal(e.version, i + 1, `version ${i + 1} is contiguous`));
  const seen = new Set(events.map((e) => JSON.stringify(e.data)));
  assert.equal(seen.size, events.length, 'no write is stored twice');
  for (const writer of writers) {
    for (let seq = 0; seq < count; seq++) {
      for (let i = 0; i < perAppend; i++) assert.ok(seen.has(JSON.stringify({ writer, seq, i })), `${writer} #${seq}.${i} landed`);
    }
  }
}

export function concurrencyCases(options: ConformanceOptions): void {
  defineCase(options, '8 concurrent writers × 250 appends to one stream: all 2,000 land once, versions 1..2000', async (store) => {
    const writers = Array.from({ length: 8 }, (_, i) => `w${i}`);
    await Promise.all(
      writers.map(async (writer) => {
        for (let seq = 0; seq < 250; seq++) await appendWithRetry(store, 'contended', writer, seq);
      }),
    );
    assertEveryWriteOnce(await store.readStream('contended'), writers, 250);
  }, 180_000);

  defineProcessCase(options, '4 writer processes × 500 appends to one stream: all 2,000 land once, versions 1..2000', async (url) => {
    const writers = ['p0', 'p1', 'p2', 'p3'];
    await Promise.all(writers.map((writer) => startProcess('writer', [url, 'contended', writer, '500']).result));
    const store = await openEventStore(url);
    try {
      assertEveryWriteOnce(await store.readStream('contended'), writers, 500);
    } finally {
      await store.close();
    }
  }, 300_000);

  defineProcessCase(options, 'a polling reader sees every event once, in order, while 4 processes write and one transaction stays open or rolls back', async (url) => {
    const reader = await openEventStore(url);
    try {
      const seen: RecordedEvent[] = [];
      const committedId = randomUUID();
      const rolledBackId = randomUUID();
      let done = false;
      const polling = (async () => {
        // Each poll is a fresh readAll from the last position seen, as a subscriber does.
        while (true) {
          const finished = done;
          const after = seen.length === 0 ? 0 : seen[seen.length - 1]!.position;
          for await (const event of reader.readAll({ after, batchSize: 50 })) seen.push(event);
          if (finished) return;
          await sleep(2);
        }
      })();

      try {
        const committing = startProcess('hold', [url, 'held-commit', committedId, '2000', 'commit']);
        const rollingBack = startProcess('hold', [url, 'held-rollback', rolledBackId, '2000', 'rollback']);
        // The writers start once a transaction holds its event uncommitted, so they are
        // surely writing while it is held (a fast writer could otherwise be done before
        // a holding process has even started).
        await committing.printed('holding');
        const writers = ['p0', 'p1', 'p2', 'p3'];
        const writing = writers.map((writer) => startProcess('writer', [url, `gap-${writer}`, writer, '300', '2']).result);
        await Promise.all([...writing, committing.result, rollingBack.result]);
      } finally {
        done = true;
        await polling;
      }

      const everything = await collect(reader.readAll());
      assert.deepEqual(seen.map((e) => e.eventId), everything.map((e) => e.eventId), 'the reader saw exactly what the store holds');
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.position > seen[i - 1]!.position, 'positions strictly increase');
      assert.equal(seen.length, 4 * 300 * 2 + 1);
      const held = seen.find((e) => e.eventId === committedId);
      assert.ok(held, 'the held transaction’s event arrived');
      assert.ok(seen.some((e) => e.type === 'Written' && e.position > held.position), 'writers went on while it was held');
      assert.ok(!seen.some((e) => e.eventId === rolledBackId), 'the rolled-back event never appeared');
    } finally {
      await reader.close();
    }
  }, 300_000);
}
