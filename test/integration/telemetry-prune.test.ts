// A prune traced, on every store: eventline.prune says how many events it removed
// and how many bytes it gave back, and the bytes are counted; a dry run removes and
// counts nothing.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pruneStore } from '../../src/index.js';
import { onEveryStore } from '../../src/testing/index.js';
import { policies } from '../fixtures/retention-counter.js';
import { metricsByName, startTestTelemetry } from '../fixtures/telemetry.js';

onEveryStore(
  (name) => `a prune traced on ${name}`,
  (backend) => {
    test('given a counter with ten events and a policy keeping two, when it is pruned, then its span and the bytes given back say so', () =>
      backend.withStore(async (store) => {
        const folder = await mkdtemp(join(tmpdir(), 'eventline-prune-otel-'));
        const telemetry = startTestTelemetry();
        try {
          await store.appendToStream('counter-1', Array.from({ length: 10 }, () => ({ type: 'Counted', data: { by: 1, note: 'x'.repeat(500) } })));
          const dry = await pruneStore(store, { policies, archiveDir: folder, dryRun: true });
          const report = await pruneStore(store, { policies, archiveDir: folder });
          assert.ok(report.removed > 0);

          const spans = telemetry.spans().filter((s) => s.name === 'eventline.prune');
          const reclaimed = Math.max(report.bytesBefore - report.bytesAfter, 0);
          assert.deepEqual(
            spans.map((s) => s.attributes),
            [
              { 'eventline.store': store.kind, 'eventline.prune.dry_run': true, 'eventline.prune.removed': dry.removed, 'eventline.prune.reclaimed': 0 },
              { 'eventline.store': store.kind, 'eventline.prune.dry_run': false, 'eventline.prune.removed': report.removed, 'eventline.prune.reclaimed': reclaimed },
            ],
          );
          const counted = (await metricsByName(telemetry)).get('eventline.prune.reclaimed') ?? [];
          assert.deepEqual(counted, reclaimed > 0 ? [{ attributes: { 'eventline.store': store.kind }, value: reclaimed }] : []);
        } finally {
          await telemetry.stop();
          await rm(folder, { recursive: true, force: true });
        }
      }));
  },
);
