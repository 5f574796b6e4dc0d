// What Emmett's three stores share: expected versions, conflicts and results mapped
// to the bench's shape. Emmett counts versions in bigint; the bench in numbers.

import {
  STREAM_DOES_NOT_EXIST,
  isExpectedVersionConflictError,
  type EventStore,
  type ReadEventMetadataWithGlobalPosition,
} from '@event-driven-io/emmett';
import { evolve as evolveBlogPost } from '../../examples/blog/evolve.js';
import { initialState as initialBlogPost, type PostState as BlogPostState } from '../../examples/blog/state.js';
import { conflict, type BenchStore } from '../adapter.js';
import type { BlogEvent } from '../blog-events.js';
import { evolvePost, initialPost, type BenchEvent, type PostState } from '../events.js';

type EmmettStore = EventStore<ReadEventMetadataWithGlobalPosition>;

export function emmettBasics(store: EmmettStore): Omit<BenchStore, 'close' | 'readAll' | 'noReadAll' | 'rebuildPosts' | 'noRebuildPosts'> {
  return {
    async append(streamId, events, expected) {
      try {
        const result = await store.appendToStream<BenchEvent | BlogEvent>(streamId, [...events], {
          expectedStreamVersion: expected === 0 ? STREAM_DOES_NOT_EXIST : BigInt(expected),
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
    noLivePosts: 'not measured: Emmett async projections run in its consumers, not wired into this bench',
  };
}
