// The runtime's three tables, in the store's read-model database so each changes in
// the same transaction as the append it follows: each workflow's checkpoint in the
// log, an index of instances (to list them), and an index of timers still to fire.

import type { ReadModelDb, ReadModelStorage, ReadModelTables } from '../store/read-models.js';
import { instanceIdOf } from './events.js';
import type { Instance } from './instance.js';

export const CHECKPOINTS = 'eventline_workflows';
export const INSTANCES = 'eventline_workflow_instances';
export const TIMERS = 'eventline_workflow_timers';

export function tablesOf(readModels: ReadModelStorage): ReadModelTables {
  return { [CHECKPOINTS]: readModels.table(CHECKPOINTS), [INSTANCES]: readModels.table(INSTANCES), [TIMERS]: readModels.table(TIMERS) };
}

const CREATE = `
  CREATE TABLE IF NOT EXISTS {${CHECKPOINTS}} (
    name       TEXT PRIMARY KEY,
    position   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS {${INSTANCES}} (
    stream_id   TEXT PRIMARY KEY,
    workflow    TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    version     INTEGER,
    status      TEXT NOT NULL,
    error       TEXT,
    started_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS {${TIMERS}} (
    timer_id      TEXT PRIMARY KEY,
    stream_id     TEXT NOT NULL,
    workflow      TEXT NOT NULL,
    name          TEXT NOT NULL,
    due_at        BIGINT NOT NULL,
    claimed_until BIGINT
  )`;

/**
 * Serialises creating the tables on PostgreSQL, where two transactions running CREATE
 * TABLE IF NOT EXISTS at once can collide in the catalogue (namespace 0x45560004, as
 * the projections' checkpoint table, another key).
 */
const LOCK_CREATE = 'SELECT pg_advisory_xact_lock(1163264004, 2) AS locked';

const created = new WeakSet<ReadModelStorage>();

export async function ensureTables(readModels: ReadModelStorage): Promise<void> {
  if (created.has(readModels)) return;
  await readModels.transaction(tablesOf(readModels), async (db) => {
    if (db.dialect === 'postgres') await db.get(LOCK_CREATE);
    await db.exec(CREATE);
  });
  created.add(readModels);
}

export const checkpoints = {
  /** Creates the workflow's row at position 0 when it has none: its follower does, once, as it starts. */
  async ensure(db: ReadModelDb, name: string): Promise<void> {
    await db.run(`INSERT INTO {${CHECKPOINTS}} (name, position, updated_at) VALUES ($1, 0, $2) ON CONFLICT (name) DO NOTHING`, [name, Date.now()]);
  },
  /** The position; 0 for a workflow whose follower has not started. */
  async get(db: ReadModelDb, name: string): Promise<number> {
    const row = await db.get<{ position: number | string }>(`SELECT position FROM {${CHECKPOINTS}} WHERE name = $1`, [name]);
    return Number(row?.position ?? 0);
  },
  /** Moves forward only: a step replayed after a crash never moves it back. */
  advance(db: ReadModelDb, name: string, position: number): void {
    db.defer(`UPDATE {${CHECKPOINTS}} SET position = $2, updated_at = $3 WHERE name = $1 AND position < $2`, [name, position, Date.now()]);
  },
};

export interface InstanceRow {
  streamId: string;
  workflow: string;
  instanceId: string;
  version: number | null;
  status: string;
  error: string | null;
  startedAt: number;
  updatedAt: number;
}

const INSTANCE_COLUMNS = `stream_id AS "streamId", workflow, instance_id AS "instanceId", version, status, error, started_at AS "startedAt", updated_at AS "updatedAt"`;

export const instances = {
  save(db: ReadModelDb, instance: Instance, now: number): void {
    const instanceId = instanceIdOf(instance.workflow, instance.streamId);
    db.defer(
      `INSERT INTO {${INSTANCES}} (stream_id, workflow, instance_id, version, status, error, started_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (stream_id) DO UPDATE SET version = $4, status = $5, error = $6, updated_at = $7`,
      [instance.streamId, instance.workflow, instanceId, instance.definitionVersion, instance.status, instance.parkedError, now],
    );
  },
  async list(db: ReadModelDb, filter: { workflow?: string; status?: string; limit: number; after?: string }): Promise<InstanceRow[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.workflow !== undefined) where.push(`workflow = $${params.push(filter.workflow)}`);
    if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
    if (filter.after !== undefined) where.push(`stream_id > $${params.push(filter.after)}`);
    const sql = `SELECT ${INSTANCE_COLUMNS} FROM {${INSTANCES}} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY stream_id LIMIT $${params.push(filter.limit)}`;
    return (await db.all<InstanceRow>(sql, params)).map(numbers);
  },
  async counts(db: ReadModelDb): Promise<Record<string, number>> {
    const rows = await db.all<{ status: string; n: number | string }>(`SELECT status, COUNT(*) AS n FROM {${INSTANCES}} GROUP BY status`);
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  },
};

function numbers(row: InstanceRow): InstanceRow {
  return { ...row, version: row.version === null ? null : Number(row.version), startedAt: Number(row.startedAt), updatedAt: Number(row.updatedAt) };
}

export interface DueTimer {
  timerId: string;
  streamId: string;
  dueAt: number;
}

export const timers = {
  /** Writes the index of timers still to fire, after a step that scheduled, cancelled or fired some. */
  sync(db: ReadModelDb, instance: Instance, before: ReadonlySet<string>): void {
    for (const timer of instance.timers.values()) {
      if (timer.state === 'scheduled' && !before.has(timer.timerId)) {
        db.defer(
          `INSERT INTO {${TIMERS}} (timer_id, stream_id, workflow, name, due_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (timer_id) DO NOTHING`,
          [timer.timerId, instance.streamId, instance.workflow, timer.name, Date.parse(timer.dueAt)],
        );
      } else if (timer.state !== 'scheduled' && before.has(timer.timerId)) {
        db.defer(`DELETE FROM {${TIMERS}} WHERE timer_id = $1`, [timer.timerId]);
      }
    }
  },
  remove(db: ReadModelDb, timerId: string): void {
    db.defer(`DELETE FROM {${TIMERS}} WHERE timer_id = $1`, [timerId]);
  },
  /**
   * Claims up to `limit` due timers of `workflow` for `claimMs`: other processes skip
   * them meanwhile (PostgreSQL skips rows another claim has locked), and take them
   * over once the claim runs out, as when the process that held them died.
   */
  async claimDue(db: ReadModelDb, workflow: string, now: number, claimMs: number, limit: number): Promise<DueTimer[]> {
    const wallNow = Date.now();
    const lock = db.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const rows = await db.all<{ timerId: string; streamId: string; dueAt: number | string }>(
      `UPDATE {${TIMERS}} SET claimed_until = $3
       WHERE timer_id IN (
         SELECT timer_id FROM {${TIMERS}}
         WHERE workflow = $1 AND due_at <= $2 AND (claimed_until IS NULL OR claimed_until < $4)
         ORDER BY due_at LIMIT $5 ${lock})
       RETURNING timer_id AS "timerId", stream_id AS "streamId", due_at AS "dueAt"`,
      [workflow, now, wallNow + claimMs, wallNow, limit],
    );
    return rows.map((r) => ({ ...r, dueAt: Number(r.dueAt) })).sort((a, b) => a.dueAt - b.dueAt);
  },
  /**
   * The earliest due time among the timers of `workflows` (Infinity for none); with
   * `claimableAt` (the wall clock), only among those no claim holds then, for the service
   * to sleep until: a timer another process claimed is its to fire, or ours once the
   * claim runs out.
   */
  async earliestDue(db: ReadModelDb, workflows: readonly string[], claimableAt?: number): Promise<number> {
    const params: (string | number)[] = [...workflows];
    const names = workflows.map((_, i) => `$${i + 1}`).join(', ');
    const unclaimed = claimableAt === undefined ? '' : ` AND (claimed_until IS NULL OR claimed_until < $${params.push(claimableAt)})`;
    const row = await db.get<{ due: number | string | null }>(`SELECT MIN(due_at) AS due FROM {${TIMERS}} WHERE workflow IN (${names})${unclaimed}`, params);
    return row?.due == null ? Infinity : Number(row.due);
  },
};
