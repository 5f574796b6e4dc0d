// Data pruning: retention policies per stream category, compaction, the consumer guard,
// archives, the prune run and restore. See docs/retention.md.

export { ARCHIVE_FORMAT, archiveFiles, readArchive, verifyArchive } from './archive.js';
export type { ArchivedRange, ArchiveFiles, ArchiveManifest, ArchiveSummary } from './archive.js';
export { compactingEvolve, STREAM_COMPACTED } from './compaction.js';
export { STREAMS_REMOVED, type StreamsRemoved } from '../core/retention-names.js';
export type { StreamCompacted } from './compaction.js';
export { registeredConsumers } from './consumers.js';
export type { Consumer, ConsumerKind } from './consumers.js';
export { planPrune, storedBytes } from './plan.js';
export type { PlannedStream, PlanOptions, PolicyTotals, PruneAction, PrunePlan } from './plan.js';
export { days, retentionPolicy } from './policy.js';
export type { RetentionFold, RetentionPolicy, StreamFacts } from './policy.js';
export { pruneStore, resumePrunes, RETENTION_RUN, RETENTION_SPACE, RETENTION_STREAM } from './prune.js';
export type { PruneOptions, PrunePhase, PruneProgress, PruneReport, ResumeReport, RetentionRunData } from './prune.js';
export { lastPrune, retentionRecords } from './runs.js';
export type { LastPrune, RetentionRecord, RetentionSpaceData } from './runs.js';
export { restoreArchive, RETENTION_RESTORED } from './restore.js';
export type { RestoreReport, RetentionRestoredData } from './restore.js';
