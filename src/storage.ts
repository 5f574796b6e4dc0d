// eventline/storage: what a store author needs to put Eventline on a storage of their
// own, exported by name. Applications open stores with openEventStore from 'eventline'
// and need nothing here. The vocabulary both share (errors, ExpectedVersion,
// AppendResult, codecs, read models, StreamInfo, StoreStats, SnapshotInfo, PruneRange,
// PruneResult, RestoreResult, CopiedEvent, CopiedPositions, BeforeCopyCommit) is
// exported from 'eventline' only.

export { createEventStore } from './store/event-store.js';
export type {
  AuditAppend,
  BackupFacts,
  BeforeCommit,
  EventStorage,
  EventToStore,
  MaintenanceLock,
  MaintenanceStorage,
  RetentionStorage,
  SnapshotStorage,
  SnapshotToStore,
  StoredEvent,
  StoredEventId,
  StoredSnapshot,
  StreamPayload,
  StreamRange,
} from './store/storage.js';
export { checkExpectedVersion, idempotentResult } from './store/append-rules.js';
export { assertPrunable, restoreConflict } from './store/prune-rules.js';
export { copyAction } from './store/copy-rules.js';
export { openStorage } from './open/open-store.js';
