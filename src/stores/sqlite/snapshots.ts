// The SQLite store's snapshots: one row per stream in the `snapshots` table, in the
// same file as the events. Each statement runs through `guard`, which waits for a
// held append transaction and for another process's write lock, as every call does.

import type { Database } from 'better-sqlite3';
import type { SnapshotInfo, SnapshotStorage, StoredSnapshot } from '../../store/storage.js';

type Guard = <T>(operation: () => T) => Promise<T>;

const LOAD = `
  SELECT stream_id, version, schema_version, state, taken_at
  FROM snapshots WHERE stream_id = ?`;
type LoadRow = [string, number, number, string, number];

// Replaces the stream's snapshot, except by an older one of the same schema version:
// when the WHERE of the upsert is false, nothing changes and `changes` is 0.
const SAVE = `
  INSERT INTO snapshots (stream_id, version, schema_version, state, taken_at)
  VALUES (@streamId, @version, @schemaVersion, @state, @takenAt)
  ON CONFLICT (stream_id) DO UPDATE SET
    version = excluded.version,
    schema_version = excluded.schema_version,
    state = excluded.state,
    taken_at = excluded.taken_at
  WHERE snapshots.schema_version <> excluded.schema_version OR snapshots.version <= excluded.version`;

const DELETE = `DELETE FROM snapshots WHERE stream_id = ?`;

// substr and length count characters, so the prefix matches literally (as in read.ts).
const LIST = `
  SELECT stream_id, version, schema_version, length(CAST(state AS BLOB)), taken_at
  FROM snapshots
  WHERE (@after IS NULL OR stream_id > @after)
    AND (@prefix IS NULL OR substr(stream_id, 1, length(@prefix)) = @prefix)
  ORDER BY stream_id LIMIT @limit`;
type ListRow = [string, number, number, number, number];

export function prepareSnapshots(db: Database, guard: Guard): SnapshotStorage {
  const load = db.prepare<[string]>(LOAD).raw();
  const save = db.prepare(SAVE);
  const remove = db.prepare<[string]>(DELETE);
  const list = db.prepare(LIST).raw();

  return {
    load: (streamId) =>
      guard(() => {
        const row = load.get(streamId) as LoadRow | undefined;
        if (row === undefined) return undefined;
        const [id, version, schemaVersion, state, takenAt] = row;
        return { streamId: id, version, schemaVersion, state, takenAt: new Date(takenAt) } satisfies StoredSnapshot;
      }),

    save: (snapshot) =>
      guard(() => {
        const { streamId, version, schemaVersion, state } = snapshot;
        return save.run({ streamId, version, schemaVersion, state, takenAt: Date.now() }).changes > 0;
      }),

    delete: (streamId) => guard(() => remove.run(streamId).changes > 0),

    list: (after, limit, streamPrefix) =>
      guard(() =>
        (list.all({ after: after ?? null, prefix: streamPrefix ?? null, limit }) as ListRow[]).map(
          ([streamId, version, schemaVersion, bytes, takenAt]): SnapshotInfo => ({
            streamId,
            version,
            schemaVersion,
            bytes,
            takenAt: new Date(takenAt),
          }),
        ),
      ),
  };
}
