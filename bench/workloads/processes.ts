// W7p: the W7 race across OS processes, each with its own connection, on the SQL stores.
// Writers start, open their store and say ready; the clock starts when all are told to go.
// W8-4x8 starts its writer processes the same way (startTogether).

import { spawnScript, type ChildHandle } from '../running/spawn.js';
import { STALLED_AFTER_MS, summarise } from './concurrent.js';
import { checkStream } from './writers.js';
import { timed, type Workload } from './workload.js';
import type { WriterInput, WriterResult } from './writer.js';

const STREAM = 'post-w7p';
const WRITER_TIMEOUT_MS = 300_000;

export const w7p: Workload = {
  id: 'W7p',
  label: 'W7p 4 writer processes, one stream',
  unit: 'events/s',
  kinds: ['sqlite', 'postgres'],
  // A store that loses writes with 8 writers in one process is not raced across 4.
  needs: 'W7',
  async run({ store, sizes, target, scratch }) {
    const { w7Processes: writers, w7ProcessAppends: appends } = sizes;
    const inputs = Array.from({ length: writers }, (_, writer): WriterInput => ({
      target,
      scratch,
      job: { kind: 'race', streamId: STREAM, writer, appends, stalledAfterMs: STALLED_AFTER_MS * 2 },
    }));
    const { ms, settled, spawnedRssMB } = await startTogether(inputs);
    const conflicts = settled.map((r): PromiseSettledResult<number> => (r.status === 'rejected' ? r : { status: 'fulfilled', value: r.value.conflicts ?? 0 }));
    const measurement = summarise(conflicts, ms, writers * appends, await checkStream(store, STREAM, writers, appends));
    return { ...measurement, spawnedRssMB };
  },
};

export interface Together {
  /** From go until the last writer reported. */
  ms: number;
  /** Each writer's result; a writer that reported an error is rejected with it. */
  settled: PromiseSettledResult<WriterResult>[];
  /** The largest peak RSS among the writers. */
  spawnedRssMB: number;
}

/** Starts a writer process per input (writer.ts), waits until each has opened its store, then tells all to go at once. */
export async function startTogether(inputs: readonly WriterInput[]): Promise<Together> {
  const readies: Promise<void>[] = [];
  const handles: ChildHandle<WriterResult>[] = [];
  for (const input of inputs) {
    let ready!: () => void;
    readies.push(new Promise<void>((resolve) => (ready = resolve)));
    handles.push(
      spawnScript<WriterResult>(new URL('./writer.ts', import.meta.url), input, {
        timeoutMs: WRITER_TIMEOUT_MS,
        onMessage: (message) => (message as { kind?: string }).kind === 'ready' && ready(),
      }),
    );
  }
  // A writer that dies before it is ready fails the run instead of hanging it.
  await Promise.race([Promise.all(readies), Promise.all(handles.map((h) => h.result)).then(() => undefined)]);

  let settled: PromiseSettledResult<WriterResult>[] = [];
  const ms = await timed(async () => {
    handles.forEach((h) => h.child.send({ kind: 'go' }));
    settled = await Promise.allSettled(handles.map((h) => h.result));
  });
  await Promise.all(handles.map((h) => h.exited));
  const spawnedRssMB = Math.max(...settled.map((r) => (r.status === 'fulfilled' ? r.value.rssMB : 0)));
  return {
    ms,
    spawnedRssMB,
    settled: settled.map((r) => (r.status === 'fulfilled' && r.value.error !== undefined ? { status: 'rejected', reason: new Error(r.value.error) } : r)),
  };
}
