// The relay's checkpoint: the position of the last outbox message the broker
// acknowledged, one row per relay name in a read-model table of the store, with the
// last error and when a message was last delivered, so that a process that runs no
// relay can still tell how far delivery is.

import { tableExists, type ReadModelDb, type ReadModelStorage } from '../../store/read-models.js';

export const OUTBOX_TABLE = 'eventline_outbox';

export interface OutboxCheckpoint {
  position: number;
  lastError: string | null;
  /** Milliseconds since the epoch; null before the first delivery. */
  lastDeliveredAt: number | null;
}

const CREATE = `
  CREATE TABLE IF NOT EXISTS {${OUTBOX_TABLE}} (
    name              TEXT PRIMARY KEY,
    position          BIGINT NOT NULL,
    last_error        TEXT,
    last_delivered_at BIGINT,
    updated_at        BIGINT NOT NULL
  )`;

const SELECT = `
  SELECT position, last_error AS "lastError", last_delivered_at AS "lastDeliveredAt"
  FROM {${OUTBOX_TABLE}} WHERE name = $1`;

const INSERT = `
  INSERT INTO {${OUTBOX_TABLE}} (name, position, updated_at) VALUES ($1, 0, $2)
  ON CONFLICT (name) DO NOTHING`;

/** The position only moves forward: a relay that lost its lease mid-batch cannot move it back. */
const DELIVERED = `
  UPDATE {${OUTBOX_TABLE}}
  SET position = CASE WHEN position < $2 THEN $2 ELSE position END, last_error = NULL, last_delivered_at = $3, updated_at = $3
  WHERE name = $1`;

const FAILED = `UPDATE {${OUTBOX_TABLE}} SET last_error = $2, updated_at = $3 WHERE name = $1`;

/**
 * Serialises creating the table on PostgreSQL, where two transactions running CREATE
 * TABLE IF NOT EXISTS at once can both try, and one fails on the catalog's unique
 * index. The same transaction-scoped advisory lock as the projections' checkpoint table.
 */
const LOCK_CREATE = 'SELECT pg_advisory_xact_lock(1163264004, 1) AS locked';

function inTable<T>(readModels: ReadModelStorage, work: (db: ReadModelDb) => Promise<T>): Promise<T> {
  return readModels.transaction({ [OUTBOX_TABLE]: readModels.table(OUTBOX_TABLE) }, work);
}

export const outboxCheckpoints = {
  /** Creates the table and the row when missing; returns the row. */
  ensure(readModels: ReadModelStorage, name: string): Promise<OutboxCheckpoint> {
    return inTable(readModels, async (db) => {
      if (db.dialect === 'postgres') await db.get(LOCK_CREATE);
      await db.exec(CREATE);
      await db.run(INSERT, [name, Date.now()]);
      return toCheckpoint((await db.get<CheckpointRow>(SELECT, [name]))!);
    });
  },

  /** The row as it is, without creating anything: a zero checkpoint when there is none yet. */
  async read(readModels: ReadModelStorage, name: string): Promise<OutboxCheckpoint> {
    const row = await inTable(readModels, async (db) => {
      return (await tableExists(db, readModels, OUTBOX_TABLE)) ? db.get<CheckpointRow>(SELECT, [name]) : undefined;
    });
    return row ? toCheckpoint(row) : { position: 0, lastError: null, lastDeliveredAt: null };
  },

  delivered(readModels: ReadModelStorage, name: string, position: number): Promise<number> {
    return inTable(readModels, (db) => db.run(DELIVERED, [name, position, Date.now()]));
  },

  failed(readModels: ReadModelStorage, name: string, error: string): Promise<number> {
    return inTable(readModels, (db) => db.run(FAILED, [name, error, Date.now()]));
  },
};

interface CheckpointRow {
  position: number | string;
  lastError: string | null;
  lastDeliveredAt: number | string | null;
}

/** PostgreSQL may give a BIGINT back as text, depending on the pool's parsers. */
function toCheckpoint(row: CheckpointRow): OutboxCheckpoint {
  return {
    position: Number(row.position),
    lastError: row.lastError,
    lastDeliveredAt: row.lastDeliveredAt === null ? null : Number(row.lastDeliveredAt),
  };
}
