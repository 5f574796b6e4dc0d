// The names pruning writes into the log, known below src/retention too: the projections'
// rebuild looks for them (src/projections/rebuild.ts).

/** The stream every prune and restore records itself in. */
export const RETENTION_STREAM = '$retention';

/** The event that carries the state of a stream's pruned prefix (src/retention/compaction.ts). */
export const STREAM_COMPACTED = 'StreamCompacted';
