// W7: 8 writers in one process, all appending to one stream at once.

import { checkStream, Watch, writeAppends } from './writers.js';
import { ALL_KINDS, perSecond, timed, type Measurement, type Workload } from './workload.js';

/** A store that lets no writer through for this long has stalled (Emmett's SQLite store does). */
export const STALLED_AFTER_MS = 15_000;
const STREAM = 'post-w7';

export const w7: Workload = {
  id: 'W7',
  label: 'W7 8 concurrent writers, one stream',
  unit: 'events/s',
  kinds: ALL_KINDS,
  async run({ store, sizes }) {
    const { w7Writers: writers, w7Appends: appends } = sizes;
    const watch = new Watch(STALLED_AFTER_MS);
    let settled: PromiseSettledResult<number>[] = [];
    const ms = await timed(async () => {
      settled = await Promise.allSettled(
        Array.from({ length: writers }, (_, w) =>
          writeAppends(store, STREAM, w, appends, watch).catch((error: Error) => {
            // One writer's failure stops the others, so the run ends.
            watch.stop(error.message);
            throw error;
          }),
        ),
      );
    });
    return summarise(settled, ms, writers * appends, await checkStream(store, STREAM, writers, appends));
  },
};

/** The figure of a W7 run: events/s when every writer finished and the stream is whole. */
export function summarise(
  settled: PromiseSettledResult<number>[],
  ms: number,
  total: number,
  check: { lost: number; duplicated: number; problem?: string },
): Measurement {
  const conflicts = settled.reduce((sum, r) => sum + (r.status === 'fulfilled' ? r.value : 0), 0);
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const counts = { conflicts, lost: check.lost, duplicated: check.duplicated };
  if (failure) return { ...counts, failed: `${(failure.reason as Error).message} (stored ${total - check.lost} of ${total} events)` };
  if (check.problem) return { ...counts, failed: check.problem };
  return { ...counts, value: perSecond(total, ms) };
}
