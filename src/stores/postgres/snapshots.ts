// The PostgreSQL store's snapshots: one row per stream in <schema>.snapshots, beside
// the events. Each operation is one statement on the storage's pool.

import type { Pool } from 'pg';
import type { SnapshotInfo, SnapshotStorage } from '../../store/storage.js';

type LoadRow = { stream_id: string; version: number; schema_version: number; state: string; taken_at: Date };
type ListRow = Omit<LoadRow, 'state'> & { bytes: number };

const load = (s: string) => `
  SELECT stream_id, version, schema_version, state, taken_at
  FROM ${s}.snapshots WHERE stream_id = $1`;

// Replaces the stream's snapshot, except by an older one of the same schema version:
// when the WHERE of the upsert is false, no row changes and rowCount is 0.
const save = (s: string) => `
  INSERT INTO ${s}.snapshots AS current (stream_id, version, schema_version, state)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (stream_id) DO UPDATE SET
    version = EXCLUDED.version,
    schema_version = EXCLUDED.schema_version,
    state = EXCLUDED.state,
    taken_at = now()
  WHERE current.schema_version <> EXCLUDED.schema_version OR current.version <= EXCLUDED.version`;

const remove = (s: string) => `DELETE FROM ${s}.snapshots WHERE stream_id = $1`;

// starts_with is a literal prefix test: % and _ mean nothing to it.
const list = (s: string) => `
  SELECT stream_id, version, schema_version, octet_length(state)::bigint AS bytes, taken_at
  FROM ${s}.snapshots
  WHERE ($1::text IS NULL OR stream_id > $1)
    AND ($2::text IS NULL OR starts_with(stream_id, $2))
  ORDER BY stream_id LIMIT $3`;

/** `s` is the schema, quoted by quoteSchema. */
export function prepareSnapshots(pool: Pool, s: string): SnapshotStorage {
  const statements = { load: load(s), save: save(s), remove: remove(s), list: list(s) };
  const run = <T extends object>(key: keyof typeof statements, values: unknown[]) =>
    pool.query<T>({ name: `eventline_snapshot_${key}_${s}`, text: statements[key], values });

  return {
    async load(streamId) {
      const { rows } = await run<LoadRow>('load', [streamId]);
      const row = rows[0];
      if (row === undefined) return undefined;
      return { streamId: row.stream_id, version: row.version, schemaVersion: row.schema_version, state: row.state, takenAt: row.taken_at };
    },

    async save({ streamId, version, schemaVersion, state }) {
      const { rowCount } = await run('save', [streamId, version, schemaVersion, state]);
      return (rowCount ?? 0) > 0;
    },

    async delete(streamId) {
      const { rowCount } = await run('remove', [streamId]);
      return (rowCount ?? 0) > 0;
    },

    async list(after, limit, streamPrefix) {
      const { rows } = await run<ListRow>('list', [after ?? null, streamPrefix ?? null, limit]);
      return rows.map(
        (row): SnapshotInfo => ({
          streamId: row.stream_id,
          version: row.version,
          schemaVersion: row.schema_version,
          bytes: row.bytes,
          takenAt: row.taken_at,
        }),
      );
    },
  };
}
