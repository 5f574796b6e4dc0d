// A writer process: appends `count` times to a stream with the exact expected
// version, re-reading the version and retrying on every conflict.
// Usage: writer <store-url> <stream-id> <writer-name> <count> [events-per-append]
// Prints {"conflicts": n} when done.

import { ConcurrencyError } from '../../core/errors.js';
import { openEventStore } from '../../open/open-store.js';
import { appendWithRetry } from '../conformance/writers.js';

const [url, streamId, writer, count, perAppend = '1'] = process.argv.slice(2);
const store = await openEventStore(url!);
try {
  let conflicts = 0;
  for (let seq = 0; seq < Number(count); seq++) {
    conflicts += await appendWithRetry(store, streamId!, writer!, seq, Number(perAppend));
  }
  console.log(JSON.stringify({ conflicts }));
} catch (error) {
  console.error(error instanceof ConcurrencyError ? `gave up: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await store.close();
}
