// One writer process of W7p or W8-4x8: opens the store, says ready, waits for go,
// appends, reports.

import { once } from 'node:events';
import type { Scratch } from './adapter.js';
import { childInput, sendResult } from '../running/spawn.js';
import { openTarget } from '../running/stores.js';
import { appendOwnStreams } from './own-streams.js';
import { Watch, writeAppends } from './writers.js';

export interface WriterInput {
  target: string;
  scratch: Scratch;
  job: RaceJob | OwnStreamsJob;
}

/** W7p: one writer racing the others on a shared stream. */
export interface RaceJob {
  kind: 'race';
  streamId: string;
  writer: number;
  appends: number;
  stalledAfterMs: number;
}

/** W8-4x8: `writers` writers side by side from `firstWriter` on, each on a stream of its own. */
export interface OwnStreamsJob {
  kind: 'own-streams';
  firstWriter: number;
  writers: number;
  appends: number;
}

export interface WriterResult {
  /** W7p: the refused appends it retried. */
  conflicts?: number;
  /** W8: each append's ms. */
  latenciesMs?: number[];
  rssMB: number;
  error?: string;
}

const input = childInput<WriterInput>();
const store = await openTarget(input.target, input.scratch);
process.send!({ kind: 'ready' });
await once(process, 'message');

const rssMB = () => process.resourceUsage().maxRSS / 1024;
let result: WriterResult;
try {
  const { job } = input;
  result =
    job.kind === 'race'
      ? { conflicts: await writeAppends(store, job.streamId, job.writer, job.appends, new Watch(job.stalledAfterMs)), rssMB: rssMB() }
      : { latenciesMs: await appendOwnStreams(store, job.firstWriter, job.writers, job.appends), rssMB: rssMB() };
} catch (error) {
  result = { rssMB: rssMB(), error: (error as Error).message };
}
await sendResult(result);
await store.close().catch(() => {});
// A peer may leave handles open; this writer is done either way.
process.exit(0);
