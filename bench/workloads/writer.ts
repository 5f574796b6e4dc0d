// One W7p writer process: opens the store, says ready, waits for go, appends, reports.

import { once } from 'node:events';
import type { Scratch } from './adapter.js';
import { childInput, sendResult } from '../running/spawn.js';
import { openTarget } from '../running/stores.js';
import { Watch, writeAppends } from './writers.js';

export interface WriterInput {
  target: string;
  scratch: Scratch;
  streamId: string;
  writer: number;
  appends: number;
  stalledAfterMs: number;
}

export interface WriterResult {
  conflicts: number;
  rssMB: number;
  error?: string;
}

const input = childInput<WriterInput>();
const store = await openTarget(input.target, input.scratch);
process.send!({ kind: 'ready' });
await once(process, 'message');

let result: WriterResult;
try {
  const conflicts = await writeAppends(store, input.streamId, input.writer, input.appends, new Watch(input.stalledAfterMs));
  result = { conflicts, rssMB: process.resourceUsage().maxRSS / 1024 };
} catch (error) {
  result = { conflicts: 0, rssMB: process.resourceUsage().maxRSS / 1024, error: (error as Error).message };
}
await sendResult(result);
await store.close().catch(() => {});
// A peer may leave handles open; this writer is done either way.
process.exit(0);
