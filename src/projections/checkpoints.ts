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

export const checkpoints = {
  async ensure(db: ReadModelDb, name: string, version: number): Promise<Checkpoint> {
    await db.exec(CREATE);
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
    await db.exec(CREATE);
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
};
