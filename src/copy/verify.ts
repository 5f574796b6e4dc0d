// Verifying a copy: for every stream, on both sides, the count of its events and a hash
// chain over each event's id, version, time, type, and data and metadata as stored (in
// version order),
// read in one pass over each log. A stream that differs is named; nothing is decoded.

import { createHash } from 'node:crypto';
import { CopyMismatchError, CopyRefusedError } from '../core/errors.js';
import type { EventStore } from '../store/event-store.js';
import { bodyText } from './bodies.js';
import { readPositionMap } from './position-map.js';

export interface StreamMismatch {
  streamId: string;
  /** What differs, without any payload: counts, or the chain. */
  detail: string;
}

export interface CopyVerification {
  streams: number;
  events: number;
  /** Seconds the verification took. */
  seconds: number;
  mismatches: StreamMismatch[];
}

interface Chain {
  count: number;
  hash: Buffer;
}

const EMPTY = Buffer.alloc(32);

/** Each stream's count and hash chain, over the events after 0 and up to `upTo`. */
async function chainsOf(store: EventStore, upTo: number, batchSize: number, onEvents: (n: number) => void): Promise<Map<string, Chain>> {
  const text = bodyText(store);
  const chains = new Map<string, Chain>();
  let after = 0;
  while (after < upTo) {
    const batch = await store.retention.readStoredAll(after, batchSize, upTo + 1);
    if (batch.length === 0) break;
    for (const e of batch) {
      let chain = chains.get(e.streamId);
      if (chain === undefined) chains.set(e.streamId, (chain = { count: 0, hash: EMPTY }));
      const hash = createHash('sha256').update(chain.hash);
      // Each field with its length first, so no two events hash the same by shifting text between fields.
      for (const field of [e.eventId, String(e.version), String(e.recordedAt.getTime()), e.type, text(e.data), text(e.metadata)]) {
        const bytes = field === null ? '\u0000null' : field;
        hash.update(`${Buffer.byteLength(bytes)}:`).update(bytes);
      }
      chain.hash = hash.digest();
      chain.count++;
    }
    after = batch.at(-1)!.position;
    onEvents(batch.length);
  }
  return chains;
}

export interface CopyVerifyOptions {
  batchSize?: number;
  /** Events hashed so far, on both sides together, and how many there are to hash. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/**
 * Compares what a copy wrote with its source, as far as the target's position map
 * reaches; resolves to the report, mismatches included (copyStore turns them into a
 * CopyMismatchError).
 */
export async function verifyCopy(source: EventStore, target: EventStore, options: CopyVerifyOptions = {}): Promise<CopyVerification> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 1000;
  const map = await readPositionMap(target);
  if (map.ranges.length === 0 && (await source.headPosition()) > 0) {
    throw new CopyRefusedError('foreign-target', 'the target holds no copy of the source to verify');
  }
  const total = map.events * 2;
  let done = 0;
  const progress = (n: number) => options.onProgress?.({ done: (done += n), total });
  // Both sides at once: one store's reads wait while the other's are hashed.
  const [expected, found] = await Promise.all([chainsOf(source, map.sourceEnd, batchSize, progress), chainsOf(target, map.targetEnd, batchSize, progress)]);
  const mismatches: StreamMismatch[] = [];
  let events = 0;
  for (const [streamId, chain] of expected) {
    events += chain.count;
    const other = found.get(streamId);
    if (other === undefined) mismatches.push({ streamId, detail: `is missing from the target (${chain.count} events in the source)` });
    else if (other.count !== chain.count) mismatches.push({ streamId, detail: `has ${other.count} events in the target, ${chain.count} in the source` });
    else if (!other.hash.equals(chain.hash)) mismatches.push({ streamId, detail: 'has events in the target whose id, version, time, type, data or metadata differ from the source' });
  }
  for (const [streamId, chain] of found) {
    if (!expected.has(streamId)) mismatches.push({ streamId, detail: `is in the target only (${chain.count} events)` });
  }
  return { streams: expected.size, events, seconds: (performance.now() - started) / 1000, mismatches };
}

/** Throws the first mismatch of a report as a CopyMismatchError. */
export function assertVerified(report: CopyVerification): void {
  const first = report.mismatches[0];
  if (first !== undefined) throw new CopyMismatchError(first.streamId, first.detail, report.mismatches.length);
}
