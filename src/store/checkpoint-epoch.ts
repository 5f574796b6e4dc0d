// Every consumer (projection, workflow, outbox relay) saves the store's epoch beside its
// checkpoint, and checks it as it starts: a checkpoint of another epoch counted another
// log (the store was restored from a backup or copied since), and one past the head
// counted events the log no longer has. Either way the consumer stops with
// CheckpointMismatchError instead of skipping or repeating events without a word.

import { CheckpointMismatchError, type CheckpointConsumerKind } from '../core/errors.js';
import type { EventStore } from './event-store.js';
import { catalogName, type ReadModelDb } from './read-models.js';

/** Which consumer, and the read-model table that keeps its checkpoint (one row per name). */
export interface CheckpointOf {
  kind: CheckpointConsumerKind;
  name: string;
  /** The table's logical name. */
  table: string;
}

/**
 * Serialises adding the column on PostgreSQL, where two processes starting at once would
 * both try: the namespace of the checkpoint tables' creation lock, a key of its own.
 */
const LOCK_ALTER = 'SELECT pg_advisory_xact_lock(1163264004, 3) AS locked';

/** Whether a checkpoint table has its epoch column (tables made before epochs have none until a consumer starts). */
export async function hasEpochColumn(db: ReadModelDb, catalogued: string): Promise<boolean> {
  const sql =
    db.dialect === 'sqlite'
      ? `SELECT 1 AS found FROM pragma_table_info($1) WHERE name = 'epoch'`
      : `SELECT 1 AS found FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'epoch' AND NOT attisdropped`;
  return (await db.get(sql, [catalogued])) !== undefined;
}

/**
 * Adds the epoch column to a checkpoint table made before epochs, and gives every row
 * without an epoch the store's: a checkpoint saved before the store had epochs counted
 * this store's log, so the first start under epochs adopts it.
 */
async function stampCheckpoints(db: ReadModelDb, table: string, catalogued: string, epoch: string): Promise<void> {
  if (!(await hasEpochColumn(db, catalogued))) {
    if (db.dialect === 'postgres') await db.get(LOCK_ALTER);
    await db.exec(`ALTER TABLE {${table}} ADD COLUMN ${db.dialect === 'postgres' ? 'IF NOT EXISTS ' : ''}epoch TEXT`);
  }
  await db.run(`UPDATE {${table}} SET epoch = $1 WHERE epoch IS NULL`, [epoch]);
}

/**
 * Checks, as a consumer starts, that its checkpoint (created already) belongs to the
 * store: throws CheckpointMismatchError when it was saved under another epoch or lies
 * past the store's head. Rows saved before epochs take the store's epoch here.
 */
export async function assertCheckpointBelongs(store: EventStore, of: CheckpointOf): Promise<void> {
  const { readModels } = store;
  const epoch = await store.epoch();
  const row = await readModels.transaction({ [of.table]: readModels.table(of.table) }, async (db) => {
    await stampCheckpoints(db, of.table, catalogName(readModels, of.table), epoch);
    return db.get<{ epoch: string; position: number | string }>(`SELECT epoch, position FROM {${of.table}} WHERE name = $1`, [of.name]);
  });
  if (row === undefined) return;
  // The head is read after the checkpoint: every checkpoint saved by then was at or below
  // the head of its time, and the head only grows, unless the log under it was replaced.
  const head = await store.headPosition();
  const checkpoint = { epoch: row.epoch, position: Number(row.position) };
  if (checkpoint.epoch !== epoch) throw new CheckpointMismatchError(of.kind, of.name, 'epoch', checkpoint, { epoch, head });
  if (checkpoint.position > head) throw new CheckpointMismatchError(of.kind, of.name, 'ahead', checkpoint, { epoch, head });
}

/**
 * Puts a consumer's checkpoint under the store's current epoch, at `position` or, when
 * it is undefined, where it is (an operator's recovery, see `eventline recover`);
 * resolves to whether the row was there.
 */
export async function moveCheckpoint(store: EventStore, of: CheckpointOf, position: number | undefined): Promise<boolean> {
  const { readModels } = store;
  const epoch = await store.epoch();
  return readModels.transaction({ [of.table]: readModels.table(of.table) }, async (db) => {
    await stampCheckpoints(db, of.table, catalogName(readModels, of.table), epoch);
    const [sql, params] =
      position === undefined
        ? [`UPDATE {${of.table}} SET epoch = $2 WHERE name = $1`, [of.name, epoch]]
        : [`UPDATE {${of.table}} SET position = $2, epoch = $3 WHERE name = $1`, [of.name, position, epoch]];
    return (await db.run(sql, params)) === 1;
  });
}
