// WF1: instances of the blog's review workflow on the real clock, a bounded number
// under way at once: each post is submitted, approved once its review has started with
// a publish time a second ahead, published by the instance's timer, and completed.
// WF1-2p runs a second workflow runtime in another OS process on the same database.

import { setTimeout as sleep } from 'node:timers/promises';
import { spawnScript, type ChildHandle } from '../running/spawn.js';
import type { ReviewOutcome, ReviewRuntimeOptions, ReviewWorkflow, StepSample } from './adapter.js';
import type { RuntimeInput, RuntimeResult } from './workflow-runtime.js';
import { percentile, perSecond, type Measurement, type Workload, type WorkloadContext } from './workload.js';

/** The timer service looks for due timers this often at most; the follower polls the log this often when no notice comes. */
export const WF1_RUNTIME: ReviewRuntimeOptions = { timerPollMs: 25, pollIntervalMs: 100 };

/** Why WF1 has no Emmett figure: its newest release (0.42.0) has the Workflow type and nothing that runs one. */
export const NO_WORKFLOW_PROCESSOR = 'Emmett 0.42.0 exports the Workflow type and its output helpers (send, publish, schedule, complete) but no processor that runs a workflow against a store, so WF1 has no Emmett figure';

/** No instance moves on for this long: the run has stalled. */
const STALLED_AFTER_MS = 60_000;
/** 10,000 instances at a dozen or a few dozen a second take many minutes. */
const TIMEOUT_MS = 1_800_000;

export const wf1: Workload = {
  id: 'WF1',
  label: 'WF1 review workflow: 4 steps and a timer per instance',
  unit: 'instances/s',
  kinds: ['sqlite', 'postgres'],
  families: ['ours'],
  timeoutMs: TIMEOUT_MS,
  note: NO_WORKFLOW_PROCESSOR,
  run: (context) => runReviews(context, 1),
};

export const wf1TwoProcesses: Workload = {
  id: 'WF1-2p',
  label: 'WF1-2p the same with a second runtime process',
  group: 'WF1',
  unit: 'instances/s',
  kinds: ['postgres'],
  families: ['ours'],
  timeoutMs: TIMEOUT_MS,
  needs: 'WF1',
  run: (context) => runReviews(context, 2),
};

async function runReviews(context: WorkloadContext, processes: 1 | 2): Promise<Measurement> {
  const { store, sizes } = context;
  if (!store.reviewWorkflow) return { skipped: store.noReviewWorkflow ?? 'no workflow runtime' };
  const { wf1Instances: count, wf1InFlight: inFlight, wf1PublishAfterMs: publishAfterMs } = sizes;
  const review = store.reviewWorkflow();
  const postIds = Array.from({ length: count }, (_, i) => `wf1-${i}`);

  // Set-up, untimed: the posts exist, and the runtime has read them by.
  for (const postId of postIds) await review.createPost(postId);
  await review.start(WF1_RUNTIME);
  let helper: ChildHandle<RuntimeResult> | undefined;
  let helperResult: RuntimeResult | undefined;
  let ms: number;
  try {
    await review.idle();
    if (processes === 2) helper = await startHelper(context);
    ms = await drive(review, postIds, inFlight, publishAfterMs);
  } finally {
    await review.stop();
    if (helper) helperResult = await stopHelper(helper);
  }

  const counts = await review.counts();
  const outcome = await review.outcome();
  check(postIds, counts, outcome);
  const figures = stepFigures(outcome.steps, outcome.timerLatenessMs);
  return {
    value: perSecond(count, ms),
    details: { instances: count, inFlight, processes, seconds: round(ms / 1000), ...figures },
    ...(helperResult ? { spawnedRssMB: helperResult.rssMB } : {}),
  };
}

/** Runs every instance, `inFlight` at a time; resolves to the ms from the first submit to the last completion. */
async function drive(review: ReviewWorkflow, postIds: readonly string[], inFlight: number, publishAfterMs: number): Promise<number> {
  const reviewing = new Waiters();
  const completed = new Waiters();
  let tailing = true;
  let failure: Error | undefined;
  let moved = performance.now();
  const fail = (error: Error) => {
    failure ??= error;
    reviewing.failAll(failure);
    completed.failAll(failure);
  };
  // One reader of the log tells every instance when its review started and when it completed.
  const tail = (async () => {
    while (tailing) {
      const seen = await review.progress();
      seen.reviewing.forEach((id) => reviewing.resolve(id));
      seen.completed.forEach((id) => completed.resolve(id));
      const now = performance.now();
      if (seen.reviewing.length + seen.completed.length > 0) moved = now;
      else if (completed.size > 0 && now - moved > STALLED_AFTER_MS) fail(new Error(`no instance moved on for ${STALLED_AFTER_MS / 1000} s (${completed.size} under way)`));
      await sleep(10);
    }
  })().catch((error: unknown) => fail(error as Error));

  let next = 0;
  const worker = async () => {
    while (next < postIds.length && failure === undefined) {
      const postId = postIds[next++]!;
      const started = reviewing.add(postId);
      const done = completed.add(postId);
      await review.submit(postId);
      await started;
      await review.approve(postId, new Date(Date.now() + publishAfterMs));
      await done;
    }
  };
  const began = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.min(inFlight, postIds.length) }, worker));
  } catch (error) {
    fail(error as Error);
  } finally {
    tailing = false;
    await tail;
  }
  if (failure) throw failure;
  return performance.now() - began;
}

/** A promise per id, settled by the log's reader. */
class Waiters {
  private readonly pending = new Map<string, { resolve(): void; reject(error: Error): void }>();

  get size(): number {
    return this.pending.size;
  }

  add(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  resolve(id: string): void {
    this.pending.get(id)?.resolve();
    this.pending.delete(id);
  }

  failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

/** Every instance completed, and each post was published once and announced once. */
function check(postIds: readonly string[], counts: Record<string, number>, outcome: ReviewOutcome): void {
  const others = Object.entries(counts).filter(([status, n]) => status !== 'completed' && n > 0);
  if ((counts.completed ?? 0) !== postIds.length || others.length > 0) {
    throw new Error(`${counts.completed ?? 0} of ${postIds.length} instances completed (${others.map(([s, n]) => `${s} ${n}`).join(', ') || 'no others'})`);
  }
  for (const [what, perPost] of [
    ['PostWasPublished', outcome.published],
    ['blog.posts.published messages', outcome.outbox],
  ] as const) {
    const wrong = postIds.filter((id) => perPost.get(id) !== 1);
    if (wrong.length > 0) throw new Error(`${wrong.length} posts have other than one ${what} (${wrong[0]}: ${perPost.get(wrong[0]!) ?? 0})`);
  }
}

/** p50 and p99 of every step, p99 per kind of input, and the timers' own lateness. */
function stepFigures(steps: readonly StepSample[], lateness: readonly number[]): Record<string, number> {
  const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b);
  const all = sorted(steps.map((s) => s.ms));
  const p99Of = (kind: StepSample['kind']) => round(percentile(sorted(steps.filter((s) => s.kind === kind).map((s) => s.ms)), 99));
  const late = sorted(lateness);
  return {
    steps: all.length,
    stepP50Ms: round(percentile(all, 50)),
    stepP99Ms: round(percentile(all, 99)),
    logStepP99Ms: p99Of('log'),
    commandStepP99Ms: p99Of('command'),
    timerStepP99Ms: p99Of('timer'),
    timers: late.length,
    latenessP50Ms: round(percentile(late, 50)),
    latenessP99Ms: round(percentile(late, 99)),
  };
}

const round = (n: number) => Number(n.toFixed(1));

/** WF1-2p: a second runtime process on the same store, started once this one's runtime has caught up. */
async function startHelper({ target, scratch }: WorkloadContext): Promise<ChildHandle<RuntimeResult>> {
  let ready!: () => void;
  const readied = new Promise<void>((resolve) => (ready = resolve));
  const input: RuntimeInput = { target, scratch, options: WF1_RUNTIME };
  const helper = spawnScript<RuntimeResult>(new URL('./workflow-runtime.ts', import.meta.url), input, {
    timeoutMs: TIMEOUT_MS,
    onMessage: (message) => (message as { kind?: string }).kind === 'ready' && ready(),
  });
  // A helper that dies before it is ready fails the run instead of hanging it.
  const ended = helper.result.then((r) => Promise.reject(new Error(`the second runtime process ended before it was ready: ${r.error ?? 'no error given'}`)));
  await Promise.race([readied, ended]);
  return helper;
}

async function stopHelper(helper: ChildHandle<RuntimeResult>): Promise<RuntimeResult> {
  helper.child.send({ kind: 'stop' });
  try {
    const result = await helper.result;
    if (result.error !== undefined) throw new Error(`the second runtime process: ${result.error}`);
    return result;
  } finally {
    await helper.exited;
  }
}
