// The consumers a prune must not strand: every projection, workflow and outbox relay
// whose checkpoint the store keeps in its read-model tables, with how far each has read.

import type { EventStore } from '../store/event-store.js';
import type { ReadModelStorage } from '../store/read-models.js';
import { CHECKPOINTS as PROJECTIONS } from '../projections/tables.js';
import { CHECKPOINTS as WORKFLOWS } from '../workflows/tables.js';
import { OUTBOX_TABLE as OUTBOX } from '../workflows/outbox/checkpoint.js';

export type ConsumerKind = 'projection' | 'workflow' | 'outbox relay';

export interface Consumer {
  kind: ConsumerKind;
  name: string;
  /** The position of the last event it processed. */
  position: number;
}

const TABLES: readonly { kind: ConsumerKind; table: string }[] = [
  { kind: 'projection', table: PROJECTIONS },
  { kind: 'workflow', table: WORKFLOWS },
  { kind: 'outbox relay', table: OUTBOX },
];

const TABLE_EXISTS = {
  sqlite: `SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = $1`,
  postgres: `SELECT 1 AS found WHERE to_regclass($1) IS NOT NULL`,
};

/** Every registered consumer of the store, in kind and name order; none when the store keeps no read models. */
export async function registeredConsumers(store: EventStore): Promise<Consumer[]> {
  let readModels: ReadModelStorage;
  try {
    readModels = store.readModels;
  } catch {
    return [];
  }
  const found: Consumer[] = [];
  for (const { kind, table } of TABLES) {
    const rows = await readModels.transaction({ [table]: readModels.table(table) }, async (db) => {
      // The catalog knows the table by its bare name in SQLite, by its quoted, qualified one in PostgreSQL.
      const exists = await db.get(TABLE_EXISTS[db.dialect], [db.dialect === 'sqlite' ? table : readModels.table(table)]);
      return exists ? db.all<{ name: string; position: number | string }>(`SELECT name, position FROM {${table}} ORDER BY name`) : [];
    });
    for (const row of rows) found.push({ kind, name: row.name, position: Number(row.position) });
  }
  return found;
}

/** The consumers that have not processed every event up to `position`: a prune removing it strands them. */
export function strandedBy(consumers: readonly Consumer[], position: number): Consumer[] {
  return consumers.filter((c) => c.position < position);
}
