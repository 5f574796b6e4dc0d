// The consumers a prune must not strand: every projection, workflow and outbox relay
// whose checkpoint the store keeps in its read-model tables, with how far each has read
// and under which store epoch (eventline recover lists them too).

import type { CheckpointConsumerKind } from '../core/errors.js';
import type { EventStore } from '../store/event-store.js';
import { hasEpochColumn } from '../store/checkpoint-epoch.js';
import { catalogName, tableExists, type ReadModelStorage } from '../store/read-models.js';
import { CHECKPOINTS as PROJECTIONS } from '../projections/tables.js';
import { CHECKPOINTS as WORKFLOWS } from '../workflows/tables.js';
import { OUTBOX_TABLE as OUTBOX } from '../workflows/outbox/checkpoint.js';
import { OUTBOX_MESSAGE } from '../workflows/outbox/message.js';

export type ConsumerKind = CheckpointConsumerKind;

export interface Consumer {
  kind: ConsumerKind;
  name: string;
  /** The position of the last event it processed (for an outbox relay: the last before its next undelivered message). */
  position: number;
  /** The position its checkpoint holds (an outbox relay's may be behind `position`). */
  checkpoint: number;
  /** The store epoch its checkpoint was saved under; null when saved before epochs (it adopts the store's as it starts). */
  epoch: string | null;
}

export const CHECKPOINT_TABLES: readonly { kind: ConsumerKind; table: string }[] = [
  { kind: 'projection', table: PROJECTIONS },
  { kind: 'workflow', table: WORKFLOWS },
  { kind: 'outbox relay', table: OUTBOX },
];

/** Every registered consumer of the store, in kind and name order; none when the store keeps no read models. */
export async function registeredConsumers(store: EventStore): Promise<Consumer[]> {
  let readModels: ReadModelStorage;
  try {
    readModels = store.readModels;
  } catch {
    return [];
  }
  const found: Consumer[] = [];
  for (const { kind, table } of CHECKPOINT_TABLES) {
    const rows = await readModels.transaction({ [table]: readModels.table(table) }, async (db) => {
      if (!(await tableExists(db, readModels, table))) return [];
      const epoch = (await hasEpochColumn(db, catalogName(readModels, table))) ? 'epoch' : 'NULL AS epoch';
      return db.all<{ name: string; position: number | string; epoch: string | null }>(`SELECT name, position, ${epoch} FROM {${table}} ORDER BY name`);
    });
    for (const row of rows) {
      const checkpoint = Number(row.position);
      const position = kind === 'outbox relay' ? await relayReach(store, checkpoint) : checkpoint;
      found.push({ kind, name: row.name, position, checkpoint, epoch: row.epoch });
    }
  }
  return found;
}

/**
 * How far an outbox relay has processed the log. Its checkpoint is the last message the
 * broker took, but it reads nothing else: every event before its next undelivered
 * message is behind it, and every event up to the head when there is none.
 */
async function relayReach(store: EventStore, acknowledged: number): Promise<number> {
  for await (const next of store.readAll({ after: acknowledged, types: [OUTBOX_MESSAGE], batchSize: 1 })) return next.position - 1;
  return store.headPosition();
}

/** The consumers that have not processed every event up to `position`: a prune removing it strands them. */
export function strandedBy(consumers: readonly Consumer[], position: number): Consumer[] {
  return consumers.filter((c) => c.position < position);
}
