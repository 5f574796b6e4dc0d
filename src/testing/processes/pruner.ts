// A pruner process: runs one prune of the posts (keep the newest 2 events of each, the
// rest compacted) and, when it reaches `stop-at` (a phase, and how many steps into it),
// prints `stopped` and blocks for good, so the test can kill it with kill -9 right there.
// Usage: pruner <store-url> <archive-dir> <phase|none> [done]
// Prints `pruning` as it starts, and {"removed": n, "ms": how long it took} when it runs to the end.

import { openEventStore } from '../../open/open-store.js';
import { pruneStore, type PruneProgress } from '../../retention/prune.js';
import { PRUNED_POSTS } from './pruned-posts.js';

const [url, archiveDir, phase, done = '0'] = process.argv.slice(2);

function stopAt(progress: PruneProgress): void {
  if (progress.phase !== phase || progress.done !== Number(done)) return;
  // Writes to a pipe are synchronous: the line is out before the thread blocks.
  process.stdout.write('stopped\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

const store = await openEventStore(url!);
try {
  process.stdout.write('pruning\n');
  const started = performance.now();
  const report = await pruneStore(store, { policies: PRUNED_POSTS, archiveDir: archiveDir!, onProgress: stopAt });
  console.log(JSON.stringify({ removed: report.removed, ms: performance.now() - started }));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await store.close();
}
