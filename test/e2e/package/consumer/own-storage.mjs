// A storage of the project's own: an object of its making that hands every call to
// Eventline's memory storage. The EventStore and the conformance suite see only this
// object; tsc checks it against the types of eventline/storage.
import { openStorage } from 'eventline/storage';

/** @returns {Promise<import('eventline/storage').EventStorage<unknown>>} */
export async function openOwnStorage() {
  const inner = await openStorage('memory:');
  const appendWithHook = inner.appendWithHook?.bind(inner);
  const writeCopied = inner.writeCopied?.bind(inner);
  return {
    kind: 'own',
    defaultCodec: inner.defaultCodec,
    append: (streamId, events, expectedVersion) => inner.append(streamId, events, expectedVersion),
    appendWithHook:
      appendWithHook && ((streamId, events, expectedVersion, beforeCommit) => appendWithHook(streamId, events, expectedVersion, beforeCommit)),
    readStream: (streamId, range, as) => inner.readStream(streamId, range, as),
    readStreamPayloads: (streamId, fromVersion, limit) => inner.readStreamPayloads(streamId, fromVersion, limit),
    readAllBatch: (after, filter, limit) => inner.readAllBatch(after, filter, limit),
    watch: inner.watch?.bind(inner),
    readModels: inner.readModels,
    listStreams: (after, limit) => inner.listStreams(after, limit),
    headPosition: () => inner.headPosition(),
    stats: () => inner.stats(),
    snapshots: inner.snapshots,
    retention: inner.retention,
    maintenance: inner.maintenance,
    writeCopied: writeCopied && ((events, beforeCommit) => writeCopied(events, beforeCommit)),
    close: () => inner.close(),
  };
}
