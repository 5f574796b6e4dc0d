// store.snapshots: a store's snapshots as applications see them. It validates every
// input the way the event store does (the same field names, the same errors in every
// store) and turns state into text and back in one place, stateCodec, so storages
// keep opaque text only. With a payload guard that seals snapshots (payload-guard.ts),
// the state's JSON is sealed before it is stored and opened after it is read; a sealed
// snapshot that can no longer be opened (a key it needs is gone) reads as absent.

import { ValidationError } from '../core/errors.js';
import { assertJsonFaithful } from '../core/json.js';
import { assertCount, assertName, assertPlainObject } from '../core/validation.js';
import type { SnapshotSealer } from './payload-guard.js';
import type { EventStorage, SnapshotInfo } from './storage.js';

/** A stream's state at one version, as saved. */
export interface NewSnapshot<State = unknown> {
  streamId: string;
  /** The stream version the state reflects: at least 1, at most the stream's version. */
  version: number;
  /** The version of the state's shape, 0 or more. Bump it when the state changes shape. */
  schemaVersion: number;
  /** Any value JSON gives back unchanged. */
  state: State;
}

export interface Snapshot<State = unknown> extends NewSnapshot<State> {
  takenAt: Date;
}

export interface ListSnapshotsOptions {
  /** A literal prefix of the stream id. */
  streamPrefix?: string;
  /** Snapshots fetched per round trip. Default 500. */
  batchSize?: number;
}

export interface SnapshotStore {
  /** The stream's snapshot, whatever its schema version; undefined when it has none. */
  load<State = unknown>(streamId: string): Promise<Snapshot<State> | undefined>;
  /**
   * Replaces the stream's snapshot, unless the stored one has the same schema version
   * and a newer stream version. Resolves to whether it was stored.
   */
  save(snapshot: NewSnapshot): Promise<boolean>;
  /** Resolves to whether there was a snapshot to delete. */
  delete(streamId: string): Promise<boolean>;
  /** Every snapshot (without its state), in stream id order. */
  list(options?: ListSnapshotsOptions): AsyncIterable<SnapshotInfo>;
}

/** The largest schema version: PostgreSQL keeps it in an integer column. */
export const MAX_SNAPSHOT_SCHEMA_VERSION = 2 ** 31 - 1;
const DEFAULT_BATCH_SIZE = 500;
const MAX_BATCH_SIZE = 10_000;

/** The one place state becomes text and back. */
const stateCodec = {
  encode(state: unknown): string {
    assertJsonFaithful(state, 'state');
    return JSON.stringify(state);
  },
  decode(streamId: string, text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      // Only text written around Eventline gets here (it stores JSON.stringify's); loaders log it and fold the stream.
      throw new Error(`the snapshot of stream '${streamId}' cannot be decoded: ${(error as Error).message}`, { cause: error });
    }
  },
};

export function createSnapshotStore<Body>(storage: EventStorage<Body>, assertOpen: () => void, sealer?: SnapshotSealer): SnapshotStore {
  const snapshots = storage.snapshots;

  /** The stream's version: 0 when it has no events. */
  async function streamVersion(streamId: string): Promise<number> {
    const [last] = await storage.readStream(streamId, { fromVersion: Number.MAX_SAFE_INTEGER, maxCount: 1, direction: 'backward' }, (e) => e);
    return last?.version ?? 0;
  }

  return {
    async load<State>(streamId: string) {
      assertOpen();
      assertName(streamId, 'streamId');
      const stored = await snapshots.load(streamId);
      if (stored === undefined) return undefined;
      const { version, schemaVersion, takenAt } = stored;
      let { state } = stored;
      if (sealer !== undefined) {
        const opened = await sealer.reveal(streamId, version, state);
        // Sealed under a key that is gone: it may hold a forgotten subject's data, and reads as absent.
        if (opened === undefined) return undefined;
        state = opened;
      }
      return { streamId, version, schemaVersion, state: stateCodec.decode(streamId, state) as State, takenAt };
    },

    async save(snapshot) {
      assertOpen();
      assertPlainObject(snapshot, 'snapshot');
      const { streamId, version, schemaVersion, state } = snapshot;
      assertName(streamId, 'streamId');
      assertCount(version, 'version', 1);
      assertCount(schemaVersion, 'schemaVersion', 0, MAX_SNAPSHOT_SCHEMA_VERSION);
      const encoded = stateCodec.encode(state);
      // A snapshot ahead of its stream would hide events that are not there yet.
      const current = await streamVersion(streamId);
      if (version > current) {
        throw new ValidationError('version', `must be at most the stream's version (${current}), got ${version}`);
      }
      if (sealer === undefined) return snapshots.save({ streamId, version, schemaVersion, state: encoded });
      const sealed = await sealer.seal(streamId, version, encoded);
      assertOpen(); // it may have closed while the guard worked
      return snapshots.save({ streamId, version, schemaVersion, state: sealed });
    },

    async delete(streamId) {
      assertOpen();
      assertName(streamId, 'streamId');
      return snapshots.delete(streamId);
    },

    list(options = {}) {
      assertOpen();
      assertPlainObject(options, 'options');
      const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
      assertCount(batchSize, 'batchSize', 1, MAX_BATCH_SIZE);
      const { streamPrefix } = options;
      if (streamPrefix !== undefined) assertName(streamPrefix, 'streamPrefix');
      return {
        async *[Symbol.asyncIterator]() {
          let after: string | undefined;
          while (true) {
            assertOpen();
            const batch = await snapshots.list(after, batchSize, streamPrefix);
            yield* batch;
            if (batch.length < batchSize) return;
            after = batch[batch.length - 1]!.streamId;
          }
        },
      };
    },
  };
}
