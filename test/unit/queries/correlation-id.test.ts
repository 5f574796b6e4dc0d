// The correlation id filter reads metadata, which a store otherwise never looks into:
// whatever text a codec wrote there (not JSON at all, or JSON with \u0000, which
// PostgreSQL's jsonb refuses), every store answers alike and none fails the query.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { jsonCodec, openEventStore, type EventCodec } from '../../../src/index.js';
import { hasCorrelationId } from '../../../src/store/event-filter.js';
import { postgresTestUrl } from '../../../src/testing/index.js';

test('hasCorrelationId: a JSON object whose correlationId is exactly this string, and nothing else', () => {
  assert.equal(hasCorrelationId('{"correlationId":"c-1"}', 'c-1'), true);
  assert.equal(hasCorrelationId('{"a":"\\u0000","correlationId":"c-1"}', 'c-1'), true);
  assert.equal(hasCorrelationId('{"correlationId":"c-10"}', 'c-1'), false);
  assert.equal(hasCorrelationId('{"causationId":"c-1"}', 'c-1'), false);
  assert.equal(hasCorrelationId('["c-1"]', 'c-1'), false);
  assert.equal(hasCorrelationId('not json "c-1"', 'c-1'), false);
  assert.equal(hasCorrelationId('{"correlationId":"c-1"', 'c-1'), false);
  assert.equal(hasCorrelationId(null, 'c-1'), false);
});

/** Writes metadata as given by `metadata.raw` when present: what an encrypting codec might write. */
const rawMetadataCodec: EventCodec = {
  encode(payload) {
    const raw = payload.metadata?.raw;
    const encoded = jsonCodec.encode(payload);
    return typeof raw === 'string' ? { ...encoded, metadata: raw } : encoded;
  },
  decode(encoded) {
    try {
      return jsonCodec.decode(encoded);
    } catch {
      return jsonCodec.decode({ ...encoded, metadata: null });
    }
  },
};

const dir = mkdtempSync(join(tmpdir(), 'eventline-correlation-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const postgres = postgresTestUrl();
if (postgres) after(() => postgres.dropAll());

const stores: [string, (() => Promise<string>) | undefined][] = [
  ['memory', async () => 'memory:'],
  ['SQLite', async () => `sqlite:${join(dir, 'events.db')}`],
  ['PostgreSQL', postgres?.freshUrl],
];

for (const [name, url] of stores) {
  describe(`the correlation id filter on ${name}`, () => {
    test('metadata that is not JSON, or JSON that jsonb refuses, neither matches wrongly nor fails the query', { skip: url === undefined && 'EVENTLINE_POSTGRES_URL is not set' }, async () => {
      const store = await openEventStore(await url!(), { codec: rawMetadataCodec });
      try {
        const note = (n: number, raw?: string) => ({ type: 'Noted', data: { n }, ...(raw !== undefined && { metadata: { raw } }) });
        await store.appendToStream('s', [
          note(1, '{"correlationId":"c-1"}'),
          note(2, 'ciphertext "c-1" not json'),
          note(3, '{"correlationId":"c-1", "note":"\\u0000"}'),
          note(4, '{"correlationId":"c-1"'),
          note(5, '{"correlationId":"c-1\\u0000"}'),
          note(6, '"c-1"'),
          note(7),
        ]);
        const found = [];
        for await (const event of store.readAll({ correlationId: 'c-1', batchSize: 2 })) found.push((event.data as { n: number }).n);
        assert.deepEqual(found, [1, 3]);
      } finally {
        await store.close();
      }
    });
  });
}
