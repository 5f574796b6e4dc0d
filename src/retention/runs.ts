// What the store remembers of its prunes: the RetentionRun events of `$retention`, and
// the space each run was measured to give back.

import { RETENTION_STREAM } from '../core/retention-names.js';
import type { RecordedEvent } from '../core/events.js';
import type { EventStore } from '../store/event-store.js';
import type { SpaceReport } from '../store/storage.js';
import type { RetentionRunData } from './prune.js';

export const RETENTION_RUN = 'RetentionRun';
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

const PAGE = 100;

/** The newest prune run the store records, or undefined when it was never pruned. */
export async function lastPrune(store: EventStore): Promise<LastPrune | undefined> {
  let space: RetentionSpaceData | undefined;
  for await (const event of newestFirst(store)) {
    if (event.type === RETENTION_SPACE) space ??= event.data as RetentionSpaceData;
    if (event.type !== RETENTION_RUN) continue;
    const { run, events, bytesBefore, bytesAfter } = event.data as RetentionRunData;
    const measured = space?.run === run ? space : undefined;
    return {
      run,
      recordedAt: event.recordedAt,
      events,
      bytesBefore: measured?.bytesBefore ?? bytesBefore,
      bytesAfter: measured?.bytesAfter ?? bytesAfter,
      measured: measured !== undefined,
      ...(measured === undefined ? {} : { done: measured.done }),
    };
  }
  return undefined;
}

/** `$retention`'s events, newest first, a page at a time. */
async function* newestFirst(store: EventStore): AsyncGenerator<RecordedEvent> {
  let fromVersion: number | undefined;
  for (;;) {
    const page = await store.readStream(RETENTION_STREAM, { direction: 'backward', maxCount: PAGE, ...(fromVersion === undefined ? {} : { fromVersion }) });
    yield* page;
    const oldest = page.at(-1);
    if (page.length < PAGE || oldest === undefined || oldest.version <= 1) return;
    fromVersion = oldest.version - 1;
  }
}
