// W7's writer: appends one event at a time to a shared stream with the version it
// believes current, and on a conflict learns the new version and tries again.
// Each event carries (writer, seq), so the stream can be checked afterwards.

import type { BenchStore } from './adapter.js';
import { postEvent, type PostData } from './events.js';

/** Watches for writers that make no progress (a store that refuses every append). */
export class Watch {
  private lastProgressAt = Date.now();
  private stopped: string | undefined;

  constructor(private readonly stalledAfterMs: number) {}

  progressed(): void {
    this.lastProgressAt = Date.now();
  }

  stop(reason: string): void {
    this.stopped ??= reason;
  }

  /** Throws once nothing has succeeded for too long, or another writer failed. */
  check(): void {
    if (this.stopped) throw new Error(this.stopped);
    const idle = Date.now() - this.lastProgressAt;
    if (idle > this.stalledAfterMs) this.stop(`no append succeeded for ${Math.round(idle / 1000)} s`);
    if (this.stopped) throw new Error(this.stopped);
  }
}

/** Appends `appends` events as writer `writer`; returns how many conflicts it met. */
export async function writeAppends(store: BenchStore, streamId: string, writer: number, appends: number, watch: Watch): Promise<number> {
  let known = 0;
  let conflicts = 0;
  for (let seq = 0; seq < appends; ) {
    const outcome = await store.append(streamId, [postEvent(streamId, known + 1, { writer, seq })], known);
    if (outcome.ok) {
      known = outcome.nextVersion;
      seq++;
      watch.progressed();
      continue;
    }
    conflicts++;
    watch.check();
    known = outcome.actual ?? (await store.currentVersion(streamId, known));
  }
  return conflicts;
}

export interface StreamCheck {
  lost: number;
  duplicated: number;
  /** Set when versions are not exactly 1..N. */
  problem?: string;
}

/** Checks the stream holds each (writer, seq) exactly once, with versions 1..N. */
export async function checkStream(store: BenchStore, streamId: string, writers: number, appends: number): Promise<StreamCheck> {
  const events = await store.versionedStream(streamId);
  const seen = new Map<string, number>();
  let misplaced = 0;
  events.forEach((event, i) => {
    if (event.version !== i + 1) misplaced++;
    const { writer, seq } = event.data as PostData;
    const key = `${writer}:${seq}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
  let lost = 0;
  for (let w = 0; w < writers; w++) {
    for (let s = 0; s < appends; s++) if (!seen.has(`${w}:${s}`)) lost++;
  }
  const duplicated = events.length - seen.size;
  const check: StreamCheck = { lost, duplicated };
  if (misplaced > 0) check.problem = `${misplaced} of ${events.length} events are not at versions 1..${events.length}`;
  return check;
}
