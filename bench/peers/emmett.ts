// What Emmett's three stores share: expected versions, conflicts and results mapped
// to the bench's shape. Emmett counts versions in bigint; the bench in numbers.

import {
  STREAM_DOES_NOT_EXIST,
  isExpectedVersionConflictError,
  type AppendToStreamOptions,
  type AppendToStreamResultWithGlobalPosition,
  type Event,
  type EventStore,
  type ReadEventMetadataWithGlobalPosition,
} from '@event-driven-io/emmett';
import { evolve as evolveBlogPost } from '../../examples/blog/evolve.js';
import { initialState as initialBlogPost, type PostState as BlogPostState } from '../../examples/blog/state.js';
import { conflict, type BenchStore } from '../workloads/adapter.js';
import type { BlogEvent } from '../workloads/blog-events.js';
import { evolvePost, initialPost, type BenchEvent, type PostState } from '../workloads/events.js';
import { NO_WORKFLOW_PROCESSOR } from '../workloads/workflows.js';

type EmmettStore = EventStore<ReadEventMetadataWithGlobalPosition>;

export function emmettBasics(store: EmmettStore): Omit<BenchStore, 'close' | 'readAll' | 'noReadAll' | 'rebuildPosts' | 'noRebuildPosts'> {
  return {
    async append(streamId, events, expected) {
      try {
        const result = await store.appendToStream<BenchEvent | BlogEvent>(streamId, [...events], {
          expectedStreamVersion: expectedVersion(expected),
        });
        return { ok: true, nextVersion: Number(result.nextExpectedStreamVersion) };
      } catch (error) {
        if (isExpectedVersionConflictError(error)) return conflict();
        throw error;
      }
    },

    async readStream(streamId) {
      return (await store.readStream<BenchEvent>(streamId)).events;
    },

    async versionedStream(streamId) {
      const { events } = await store.readStream<BenchEvent>(streamId);
      return events.map((e) => ({ type: e.type, data: e.data, version: Number(e.metadata.streamPosition) }));
    },

    // Its conflict error does not say where the stream is (it reports -1), so a
    // writer reads what was appended since the version it knew.
    async currentVersion(streamId, known) {
      const { events, currentStreamVersion } = await store.readStream<BenchEvent>(streamId, { from: BigInt(known + 1) });
      return events.length > 0 ? Number(currentStreamVersion) : known;
    },

    // aggregateStream is Emmett's own read-and-fold.
    async aggregate(streamId) {
      const { state } = await store.aggregateStream<PostState, BenchEvent>(streamId, {
        evolve: evolvePost,
        initialState: initialPost,
      });
      return state;
    },

    // S1: the same fold as our Post decider (the blog's evolve); Emmett has no snapshots.
    async loadPost(streamId) {
      const { currentStreamVersion } = await store.aggregateStream<BlogPostState, BlogEvent>(streamId, {
        evolve: evolveBlogPost,
        initialState: initialBlogPost,
      });
      return Number(currentStreamVersion);
    },
    // The SQL stores replace this with livePosts; P2's read model is a SQL table.
    noLivePosts: 'not measured: P2 projects into a SQL table; the in-memory store has none',
    noReviewWorkflow: NO_WORKFLOW_PROCESSOR,
  };
}

const expectedVersion = (expected: number) => (expected === 0 ? STREAM_DOES_NOT_EXIST : BigInt(expected));

/** The SQL stores' append, which also says where its events landed. */
interface PositionedStore {
  appendToStream<E extends Event>(streamName: string, events: E[], options?: AppendToStreamOptions): Promise<AppendToStreamResultWithGlobalPosition>;
}

/** P2's append: Emmett's appendToStream, resolving to its lastEventGlobalPosition. */
export async function appendForPosition(store: PositionedStore, streamId: string, events: readonly unknown[], expected: number): Promise<number> {
  const result = await store.appendToStream(streamId, [...events] as BlogEvent[], { expectedStreamVersion: expectedVersion(expected) });
  return Number(result.lastEventGlobalPosition);
}
