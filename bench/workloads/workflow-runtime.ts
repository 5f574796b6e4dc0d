// WF1-2p's second process: opens the same store, runs the review workflow's runtime
// beside the measuring process's until told to stop, and reports its peak RSS.

import { once } from 'node:events';
import type { ReviewRuntimeOptions, Scratch } from './adapter.js';
import { childInput, sendResult } from '../running/spawn.js';
import { openTarget } from '../running/stores.js';

export interface RuntimeInput {
  target: string;
  scratch: Scratch;
  options: ReviewRuntimeOptions;
}

export interface RuntimeResult {
  rssMB: number;
  error?: string;
}

// The measuring process is gone: nothing is left to run for.
process.once('disconnect', () => process.exit(0));

const input = childInput<RuntimeInput>();
const store = await openTarget(input.target, input.scratch);
let error: string | undefined;
try {
  const review = store.reviewWorkflow!();
  await review.start(input.options);
  process.send!({ kind: 'ready' });
  await once(process, 'message');
  await review.stop();
} catch (e) {
  error = (e as Error).message;
}
await sendResult({ rssMB: process.resourceUsage().maxRSS / 1024, ...(error === undefined ? {} : { error }) });
await store.close().catch(() => {});
process.exit(0);
