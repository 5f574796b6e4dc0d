// Snapshots: policies that say when to take one, loading from the newest usable
// snapshot, and taking one after a write without ever failing it.

export { everyNEvents, whenLoadReadMoreThan, type SnapshotMoment, type SnapshotPolicy } from './policies.js';
export {
  readSnapshotOptions,
  DEFAULT_SNAPSHOT_EVERY,
  type SnapshotLogger,
  type SnapshotOptions,
  type ResolvedSnapshotOptions,
} from './options.js';
export { loadFromSnapshot, type LoadedFromSnapshot } from './load.js';
export { takeSnapshotIfDue, type SnapshotCandidate } from './take.js';
