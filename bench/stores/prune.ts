// R1: a prune of one of Eventline's stores, as an application runs it: a policy that
// removes the category's closed streams whole, archiving them first.

import { stat } from 'node:fs/promises';
import { pruneStore, retentionPolicy, type EventStore } from '../../src/index.js';
import type { PruneOutcome } from '../workloads/adapter.js';

interface Closing {
  closed: boolean;
}

export async function pruneClosed(store: EventStore, category: string, archiveDir: string): Promise<PruneOutcome> {
  const policy = retentionPolicy<Closing>({
    name: 'closed',
    category,
    when: (state) => state.closed,
    fold: {
      initialState: () => ({ closed: false }),
      evolve: (state, event) => ((event.data as { closed?: boolean }).closed === true ? { closed: true } : state),
      stateSchemaVersion: 1,
    },
  });
  const report = await pruneStore(store, { policies: [policy], archiveDir });
  if (report.archive === undefined || report.space === undefined) throw new Error('the prune removed nothing');
  return {
    removed: report.removed,
    archiveBytes: (await stat(report.archive.file)).size,
    bytesBefore: report.space.bytesBefore,
    bytesAfter: report.space.bytesAfter,
    space: report.space.done,
  };
}
