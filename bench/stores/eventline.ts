// Eventline's own stores, opened by URL as an application opens them.

import { postDecider } from '../../examples/blog/decider.js';
import { postsProjection } from '../../examples/blog/read-side/posts.js';
import { ConcurrencyError, everyNEvents, loadState, openEventStore, rebuildProjection, startProjections, type EventStore } from '../../src/index.js';
import { readSnapshotOptions, takeSnapshotIfDue } from '../../src/snapshots/index.js';
import { conflict, type BenchStore, type OpenStore, type PersonalDataStore } from '../workloads/adapter.js';
import { evolvePost, initialPost } from '../workloads/events.js';
import { PAGE_SIZE } from '../workloads/sizes.js';
import { openSealedStore } from './personal-data.js';
import { copyFromSqlite } from './copy.js';
import { pruneClosed } from './prune.js';
import { reviewWorkflowOf } from './review-workflow.js';
import { storeUrl } from './urls.js';

export const openMemory: OpenStore = (scratch) => open(storeUrl('memory', scratch));
export const openSqlite: OpenStore = (scratch) => open(storeUrl('sqlite', scratch));
export const openSqliteFull: OpenStore = (scratch) => open(storeUrl('sqlite-full', scratch));
export const openPostgres: OpenStore = (scratch) => open(storeUrl('postgres', scratch));

async function open(url: string): Promise<BenchStore> {
  const store = benchStoreOf(await openEventStore(url));
  // A memory store cannot be opened a second time: E1 runs on the file and server stores.
  return url.startsWith('memory:') ? store : { ...store, personalData: () => personalDataOf(url) };
}

/** E1: the store at `url` once more, sealing, seen as any other store of the bench; forgetting and closing its own. */
async function personalDataOf(url: string): Promise<PersonalDataStore> {
  const sealed = await openSealedStore(url);
  const { append, readStream } = benchStoreOf(sealed.store);
  return { append, readStream, forget: sealed.forget, close: sealed.close };
}

/** The bench's view of an EventStore, whatever its storage. */
export function benchStoreOf(store: EventStore): BenchStore {
  return {
    async append(streamId, events, expected) {
      try {
        const { nextExpectedVersion } = await store.appendToStream(streamId, events, {
          expectedVersion: expected === 0 ? 'no_stream' : expected,
        });
        return { ok: true, nextVersion: nextExpectedVersion };
      } catch (error) {
        // The error says where the stream is, so a writer retries without a read.
        if (error instanceof ConcurrencyError) return conflict(error.actual);
        throw error;
      }
    },
    readStream: (streamId) => store.readStream(streamId),
    // foldStream is Eventline's own read-and-fold, as aggregateStream is Emmett's.
    aggregate: async (streamId) => (await store.foldStream(streamId, initialPost(), evolvePost)).state,
    versionedStream: (streamId) => store.readStream(streamId),
    async currentVersion(streamId) {
      const [last] = await store.readStream(streamId, { direction: 'backward', maxCount: 1 });
      return last?.version ?? 0;
    },
    // Each store's batch reader, as Emmett's is measured through readMessagesBatch: a
    // page of events at a time. (readAll's async iterator awaits once per event, which a
    // fresh process pays for until the loop is optimised.)
    async readAll(visit) {
      for (let after = 0; ; ) {
        const page = await store.readAllPage({ after, batchSize: PAGE_SIZE });
        page.forEach(visit);
        if (page.length < PAGE_SIZE) return;
        after = page[page.length - 1]!.position;
      }
    },

    async loadPost(streamId, snapshots) {
      return (await loadState(store, streamId, postDecider, snapshots ? { snapshots: SNAPSHOTS } : {})).version;
    },
    async snapshotPost(streamId) {
      // What handleCommand does after a write: load (from the last snapshot), ask the policy, save.
      const loaded = await loadState(store, streamId, postDecider, { snapshots: SNAPSHOTS });
      const { state, version, snapshotVersion, eventsApplied } = loaded;
      await takeSnapshotIfDue(store, { streamId, state, version, snapshotVersion, eventsApplied, eventsAppended: 0 }, readSnapshotOptions(SNAPSHOTS));
    },
    async rebuildPosts() {
      return (await rebuildProjection(store, postsProjection)).events;
    },
    async livePosts() {
      const projections = startProjections(store, [postsProjection]);
      return {
        async append(streamId, events, expected) {
          const result = await store.appendToStream(streamId, events as never, { expectedVersion: expected === 0 ? 'no_stream' : expected });
          return result.lastPosition;
        },
        async visiblePosition() {
          const [status] = await projections.status();
          return status?.state === 'running' ? status.position : 0;
        },
        stop: () => projections.stop(),
      };
    },
    reviewWorkflow: () => reviewWorkflowOf(store),
    pruneClosed: (category, archiveDir) => pruneClosed(store, category, archiveDir),
    reclaimFully: async () => (await store.retention.reclaimSpace({ full: true })).bytesAfter,
    copyFromSqlite: (sourcePath) => copyFromSqlite(store, sourcePath),
    close: () => store.close(),
  };
}

/** S1's snapshots: the blog Post's state, schema 1, a snapshot every 100 events. */
const SNAPSHOTS = { schemaVersion: 1, policy: everyNEvents(100) };
