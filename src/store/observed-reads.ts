// An EventStore's reads with the `eventline.read` span around each stream read, fold
// and page of the log (src/telemetry); a read that is iterated (readAll, listStreams)
// is left as it is, its pages being read as the caller goes.

import { observeRead } from '../telemetry/index.js';
import type { EventReads } from './reads.js';

export function observedReads(store: string, reads: EventReads): EventReads {
  return {
    ...reads,
    readStream: (streamId, options) =>
      observeRead(store, 'stream', streamId, () => reads.readStream(streamId, options), (events) => ({ count: events.length, lastPosition: events.at(-1)?.position })),
    foldStream: (streamId, initial, evolve, options) =>
      observeRead(store, 'fold', streamId, () => reads.foldStream(streamId, initial, evolve, options), (fold) => ({ count: fold.events, lastPosition: fold.lastPosition })),
    readAllPage: (options) =>
      observeRead(store, 'page', undefined, () => reads.readAllPage(options), (events) => ({ count: events.length, lastPosition: events.at(-1)?.position })),
  };
}
