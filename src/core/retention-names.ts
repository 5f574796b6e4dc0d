// The names pruning writes into the log, known below src/retention too: the projections'
// rebuild looks for them (src/projections/rebuild.ts).

/** The stream every prune and restore records itself in. */
export const RETENTION_STREAM = '$retention';

/** The event that carries the state of a stream's pruned prefix (src/retention/compaction.ts). */
export const STREAM_COMPACTED = 'StreamCompacted';

/**
 * Recorded in `$retention` with a run's RetentionRun, in the same transaction: the streams
 * the run removed whole, up to 1000 an event. A read model that keeps rows per stream
 * deletes theirs: no event of theirs is left to tell it.
 */
export const STREAMS_REMOVED = 'StreamsRemoved';

export interface StreamsRemoved {
  run: string;
  streams: string[];
}
