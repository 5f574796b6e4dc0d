// The memory store's snapshots: one Map entry per stream, the state kept as the text
// it was given, so a loaded state is always a fresh copy and never shares objects.

import { compareCodePoints } from '../../core/compare.js';
import type { SnapshotStorage, StoredSnapshot } from '../../store/storage.js';

export function createMemorySnapshots(): SnapshotStorage {
  const snapshots = new Map<string, StoredSnapshot>();

  return {
    async load(streamId) {
      const stored = snapshots.get(streamId);
      return stored && { ...stored };
    },

    async save(snapshot) {
      const current = snapshots.get(snapshot.streamId);
      // A newer snapshot of the same shape is worth more than this one.
      if (current && current.schemaVersion === snapshot.schemaVersion && current.version > snapshot.version) return false;
      snapshots.set(snapshot.streamId, { ...snapshot, takenAt: new Date() });
      return true;
    },

    async delete(streamId) {
      return snapshots.delete(streamId);
    },

    async list(after, limit, streamPrefix) {
      return [...snapshots.values()]
        .filter((s) => after === undefined || compareCodePoints(s.streamId, after) > 0)
        .filter((s) => streamPrefix === undefined || s.streamId.startsWith(streamPrefix))
        .sort((a, b) => compareCodePoints(a.streamId, b.streamId))
        .slice(0, limit)
        .map(({ streamId, version, schemaVersion, state, takenAt }) => ({
          streamId,
          version,
          schemaVersion,
          bytes: Buffer.byteLength(state),
          takenAt,
        }));
    },
  };
}
