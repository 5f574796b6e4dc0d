// What the store remembers of its prunes: the RetentionRun events of `$retention`, and
// the space each run was measured to give back.

import { RETENTION_STREAM } from '../core/retention-names.js';
import type { RecordedEvent } from '../core/events.js';
import type { EventStore } from '../store/event-store.js';
import type { SpaceReport } from '../store/storage.js';
import type { RetentionRunData } from './prune.js';

export const RETENTION_RUN = 'RetentionRun';
/** Appended by a restore of an archive, with the events it put back. */
export const RETENTION_RESTORED = 'RetentionRestored';
/** Appended after a run's deletion, once the space is given back: the store's bytes, measured. */
export const RETENTION_SPACE = 'RetentionSpaceReclaimed';

export interface RetentionSpaceData {
  run: string;
  /** The store's bytes (stats) when the run began to delete, and after the space was given back. */
  bytesBefore: number;
  bytesAfter: number;
  done: SpaceReport['done'];
}

export interface LastPrune {
  run: string;
  recordedAt: Date;
  events: number;
  bytesBefore: number;
  /** Measured once the space was given back; else the run's estimate (measured false). */
  bytesAfter: number;
  measured: boolean;
  /** What gave the space back, when measured. */
  done?: SpaceReport['done'];
}

/** A RetentionRun or RetentionRestored event; a run with the space measured after it, when recorded. */
export interface RetentionRecord {
  event: RecordedEvent;
  space?: RetentionSpaceData;
}

const PAGE = 100;

/**
 * The runs and restores `$retention` records before version `before` (default: all),
 * newest first. A run's RetentionSpaceReclaimed comes after it, so reading backwards
 * meets it first; one recorded at or after `before` is not seen.
 */
export async function* retentionRecords(store: EventStore, before = Number.MAX_SAFE_INTEGER): AsyncGenerator<RetentionRecord> {
  const measured = new Map<string, RetentionSpaceData>();
  for (let from = before - 1; from >= 1; ) {
    const page = await store.readStream(RETENTION_STREAM, { direction: 'backward', fromVersion: from, maxCount: PAGE });
    for (const event of page) {
      if (event.type === RETENTION_SPACE) {
        const space = event.data as RetentionSpaceData;
        if (!measured.has(space.run)) measured.set(space.run, space);
      } else if (event.type === RETENTION_RUN) {
        const space = measured.get((event.data as RetentionRunData).run);
        yield space === undefined ? { event } : { event, space };
      } else if (event.type === RETENTION_RESTORED) {
        yield { event };
      }
    }
    if (page.length < PAGE) return;
    from = page.at(-1)!.version - 1;
  }
}

/** The newest prune run the store records, or undefined when it was never pruned. */
export async function lastPrune(store: EventStore): Promise<LastPrune | undefined> {
  for await (const { event, space } of retentionRecords(store)) {
    if (event.type !== RETENTION_RUN) continue;
    const { run, events, bytesBefore, bytesAfter } = event.data as RetentionRunData;
    return {
      run,
      recordedAt: event.recordedAt,
      events,
      bytesBefore: space?.bytesBefore ?? bytesBefore,
      bytesAfter: space?.bytesAfter ?? bytesAfter,
      measured: space !== undefined,
      ...(space === undefined ? {} : { done: space.done }),
    };
  }
  return undefined;
}
