// A projection's checkpoint: how far it has read, its state, and why it stopped. It
// lives in the read model's database and changes in the same transaction as the rows.

import type { ReadModelDb } from '../store/read-models.js';
import { CHECKPOINTS } from './tables.js';

export type ProjectionState = 'running' | 'failed' | 'rebuilding';

export interface Checkpoint {
  name: string;
  version: number;
  position: number;
  state: ProjectionState;
  error: string | null;
  errorPosition: number | null;
  /** The generation of the live tables' indexes; a rebuild writes generation + 1. */
  generation: number;
  updatedAt: number;
}

const CREATE = `
  CREATE TABLE IF NOT EXISTS {${CHECKPOINTS}} (
    name           TEXT PRIMARY KEY,
    version        INTEGER NOT NULL,
    position       BIGINT  NOT NULL,
    state          TEXT    NOT NULL,
    error          TEXT,
    error_position BIGINT,
    generation     INTEGER NOT NULL,
    updated_at     BIGINT  NOT NULL
  )`;

const SELECT = `
  SELECT name, version, position, state, error, error_position AS "errorPosition", generation, updated_at AS "updatedAt"
  FROM {${CHECKPOINTS}} WHERE name = $1`;

const SELECT_ALL = `
  SELECT name, version, position, state, error, error_position AS "errorPosition", generation, updated_at AS "updatedAt"
  FROM {${CHECKPOINTS}} ORDER BY name`;

const INSERT = `
  INSERT INTO {${CHECKPOINTS}} (name, version, position, state, generation, updated_at)
  VALUES ($1, $2, 0, 'running', 0, $3)
  ON CONFLICT (name) DO NOTHING`;

const ADVANCE = `UPDATE {${CHECKPOINTS}} SET position = $2, updated_at = $3 WHERE name = $1`;

const SET_STATE = `
  UPDATE {${CHECKPOINTS}} SET state = $2, error = $3, error_position = $4, updated_at = $5 WHERE name = $1`;

const REPLACE = `
  UPDATE {${CHECKPOINTS}}
  SET version = $2, position = $3, state = 'running', error = NULL, error_position = NULL, generation = $4, updated_at = $5
  WHERE name = $1`;

const CLAIM = `
  UPDATE {${CHECKPOINTS}} SET state = 'rebuilding', error = NULL, error_position = NULL, updated_at = $2 WHERE name = $1`;

/** A rebuild's heartbeat; it only lands while the heartbeat is still the one this rebuild wrote last. */
const HEARTBEAT = `
  UPDATE {${CHECKPOINTS}} SET state = 'rebuilding', error = NULL, error_position = NULL, updated_at = $3
  WHERE name = $1 AND state = 'rebuilding' AND updated_at = $2`;

const END_REBUILD = `
  UPDATE {${CHECKPOINTS}} SET state = 'running', updated_at = $3 WHERE name = $1 AND state = 'rebuilding' AND updated_at = $2`;

/**
 * Serialises creating the checkpoint table on PostgreSQL: two transactions running
 * CREATE TABLE IF NOT EXISTS at the same moment can both try to create it, and one
 * fails on the catalog's unique index. A transaction-scoped advisory lock (namespace
 * 0x45560004, beside the store's own), held for a moment, shared by every schema.
 */
const LOCK_CREATE = 'SELECT pg_advisory_xact_lock(1163264004, 1) AS locked';

async function createTable(db: ReadModelDb): Promise<void> {
  if (db.dialect === 'postgres') await db.get(LOCK_CREATE);
  await db.exec(CREATE);
}

export const checkpoints = {
  createTable,
  async ensure(db: ReadModelDb, name: string, version: number): Promise<Checkpoint> {
    await createTable(db);
    await db.run(INSERT, [name, version, Date.now()]);
    return (await this.get(db, name))!;
  },
  get(db: ReadModelDb, name: string): Promise<Checkpoint | undefined> {
    return db.get<Checkpoint>(SELECT, [name]);
  },
  /**
   * Reads the checkpoint for changing it. PostgreSQL locks the row until the
   * transaction ends, so two writers cannot both apply the same events; SQLite
   * transactions already run one at a time.
   */
  lock(db: ReadModelDb, name: string): Promise<Checkpoint | undefined> {
    return db.get<Checkpoint>(db.dialect === 'postgres' ? `${SELECT} FOR UPDATE` : SELECT, [name]);
  },
  async all(db: ReadModelDb): Promise<Checkpoint[]> {
    await createTable(db);
    return db.all<Checkpoint>(SELECT_ALL);
  },
  advance(db: ReadModelDb, name: string, position: number): Promise<number> {
    return db.run(ADVANCE, [name, position, Date.now()]);
  },
  setState(db: ReadModelDb, name: string, state: ProjectionState, error: string | null = null, errorPosition: number | null = null) {
    return db.run(SET_STATE, [name, state, error, errorPosition, Date.now()]);
  },
  /** After a rebuild: the new version, its position and its generation, running. */
  replace(db: ReadModelDb, name: string, version: number, position: number, generation: number) {
    return db.run(REPLACE, [name, version, position, generation, Date.now()]);
  },
  /**
   * Marks the projection rebuilding, with a heartbeat later than the one it replaces
   * (read from the locked row), so no two rebuilds ever hold the same. Returns it.
   */
  async claim(db: ReadModelDb, name: string, previous: number): Promise<number> {
    const next = Math.max(Date.now(), previous + 1);
    await db.run(CLAIM, [name, next]);
    return next;
  },
  /**
   * A rebuild's heartbeat doubles as its claim: it writes a new updated_at only if the
   * row still holds `previous`, the one it wrote last. Returns the new value, or
   * undefined when another rebuild has taken the projection over.
   */
  async heartbeat(db: ReadModelDb, name: string, previous: number): Promise<number | undefined> {
    const next = Math.max(Date.now(), previous + 1);
    return (await db.run(HEARTBEAT, [name, previous, next])) === 1 ? next : undefined;
  },
  /** A rebuild that stops without a swap sets its projection running again, unless another rebuild took it over. */
  endRebuild(db: ReadModelDb, name: string, heartbeat: number) {
    return db.run(END_REBUILD, [name, heartbeat, Math.max(Date.now(), heartbeat + 1)]);
  },
};
