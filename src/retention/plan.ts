// Planning a prune: for each policy and each stream of its category, which prefix goes,
// whether a StreamCompacted event keeps what it carried or the stream is removed whole,
// and what that removes (events, bytes, the highest position). It reads and writes
// nothing else: a dry run is a plan.

import { compareCodePoints } from '../core/compare.js';
import { PruneRefusedError } from '../core/errors.js';
import { jsonBytes } from '../core/json.js';
import type { EventStore } from '../store/event-store.js';
import type { StoredEvent } from '../store/storage.js';
import { compactingEvolve, STREAM_COMPACTED, type StreamCompacted } from './compaction.js';
import { registeredConsumers, strandedBy, type Consumer } from './consumers.js';
import { checkPolicies, type RetentionPolicy } from './policy.js';

export type PruneAction = 'compact' | 'remove';

export interface PlannedStream {
  policy: string;
  streamId: string;
  /** `remove`: the stream is closed and goes whole; `compact`: its state is kept in a StreamCompacted event. */
  action: PruneAction;
  /** The versions removed: fromVersion..upToVersion. */
  fromVersion: number;
  upToVersion: number;
  /** The stream's version when planned. */
  version: number;
  events: number;
  /** The bytes of the removed events' data and metadata, as stored. */
  bytes: number;
  /** The highest position removed. */
  lastPosition: number;
  /** The StreamCompacted event to append first; undefined when the stream ends with an up-to-date one. */
  compaction?: StreamCompacted;
}

export interface PolicyTotals {
  policy: string;
  streams: number;
  events: number;
  bytes: number;
}

export interface PrunePlan {
  now: Date;
  streams: PlannedStream[];
  policies: PolicyTotals[];
  events: number;
  bytes: number;
  /** The highest position the prune removes (0 when it removes nothing). */
  lastPosition: number;
  /** Every registered consumer. */
  consumers: Consumer[];
  /** The consumers that have not processed all the events the prune removes. */
  stranded: Consumer[];
  /** The projections that could no longer be rebuilt from position 0 after it: every one, when it removes anything. */
  notRebuildableFromZero: string[];
}

export interface PlanOptions {
  /** The time the policies are judged at. Default: now. */
  now?: Date;
}

const PAGE = 1000;

/**
 * Plans a prune of `store` under `policies`. Throws RetentionPolicyError for a bad
 * policy, and PruneRefusedError (`compaction-required`) when a policy would remove a
 * prefix of a stream that keeps events and has no fold to compact it. Writes nothing.
 */
export async function planPrune(store: EventStore, policies: readonly RetentionPolicy[], options: PlanOptions = {}): Promise<PrunePlan> {
  checkPolicies(policies);
  const now = options.now ?? new Date();
  const streams: PlannedStream[] = [];
  const uncompactable: string[] = [];
  const personal: string[] = [];
  for (const [category, mine] of byCategory(policies)) {
    for await (const { streamId, version } of streamsOf(store, category)) {
      // The first policy whose `when` holds decides, even when it finds nothing to prune.
      for (const policy of mine) {
        const planned = await planStream(store, policy, streamId, version, now);
        if (planned === 'not-this-policy') continue;
        if (planned === 'uncompactable') uncompactable.push(streamId);
        else if (planned === 'personal') personal.push(streamId);
        else if (planned !== undefined) streams.push(planned);
        break;
      }
    }
  }
  if (uncompactable.length > 0) {
    throw new PruneRefusedError(
      'compaction-required',
      [],
      uncompactable,
      `${uncompactable.length} stream(s) would lose a prefix while keeping later events, and their policy has no fold to compact them (first: '${uncompactable[0]}')`,
    );
  }
  if (personal.length > 0) {
    throw new PruneRefusedError(
      'personal-data',
      [],
      personal,
      `${personal.length} stream(s) would be compacted, but they hold sealed personal data that a compacted state would keep in the clear (first: '${personal[0]}'); remove such streams whole, or leave them`,
    );
  }
  const consumers = await registeredConsumers(store);
  const lastPosition = streams.reduce((most, s) => Math.max(most, s.lastPosition), 0);
  const events = streams.reduce((n, s) => n + s.events, 0);
  return {
    now,
    streams,
    policies: policies.map(({ name }) => {
      const mine = streams.filter((s) => s.policy === name);
      return { policy: name, streams: mine.length, events: mine.reduce((n, s) => n + s.events, 0), bytes: mine.reduce((n, s) => n + s.bytes, 0) };
    }),
    events,
    bytes: streams.reduce((n, s) => n + s.bytes, 0),
    lastPosition,
    consumers,
    stranded: lastPosition === 0 ? [] : strandedBy(consumers, lastPosition),
    notRebuildableFromZero: events === 0 ? [] : consumers.filter((c) => c.kind === 'projection').map((c) => c.name),
  };
}

/** The policies of each category, in the order given. */
function byCategory(policies: readonly RetentionPolicy[]): Map<string, RetentionPolicy[]> {
  const groups = new Map<string, RetentionPolicy[]>();
  for (const policy of policies) groups.set(policy.category, [...(groups.get(policy.category) ?? []), policy]);
  return groups;
}

/** The streams whose id starts with `${category}-`, with their versions, in id order. */
async function* streamsOf(store: EventStore, category: string) {
  const prefix = `${category}-`;
  for await (const stream of store.listStreams({ after: category })) {
    if (stream.streamId.startsWith(prefix)) yield stream;
    else if (compareCodePoints(stream.streamId, prefix) > 0) return;
  }
}

async function planStream(
  store: EventStore,
  policy: RetentionPolicy,
  streamId: string,
  version: number,
  now: Date,
): Promise<PlannedStream | 'not-this-policy' | 'uncompactable' | 'personal' | undefined> {
  const prunedTo = await store.retention.prunedTo(streamId);
  const stored = await surviving(store, streamId, prunedTo);
  const last = stored.at(-1);
  if (last === undefined) return undefined;
  const { fold } = policy;
  const state = fold === undefined ? undefined : (await store.foldStream(streamId, fold.initialState(), compactingEvolve(fold))).state;
  if (policy.when !== undefined && !policy.when(state, { streamId, version, lastRecordedAt: last.recordedAt, now })) return 'not-this-policy';

  // maxCount counts the events a StreamCompacted at the end keeps company with, not it.
  let cutoff = cutoffOf(policy, stored, last.type === STREAM_COMPACTED ? version - 1 : version, now);
  if (cutoff <= prunedTo) return undefined;
  let action: PruneAction = 'remove';
  let compaction: StreamCompacted | undefined;
  // A closed stream whose every event is in range goes whole; any other keeps its state.
  // A stream that ends with a StreamCompacted event (appended with the stream at the
  // version it names: it reflects every event before it) needs no other.
  if (!(cutoff >= version && policy.when !== undefined)) {
    if (fold === undefined) return 'uncompactable';
    // Its state would hold in the clear what the events keep sealed, out of erasure's reach.
    if (stored.some((e) => store.retention.seals(e.type))) return 'personal';
    action = 'compact';
    if (last.type === STREAM_COMPACTED) cutoff = Math.min(cutoff, version - 1);
    else compaction = { upToVersion: version, state, stateSchemaVersion: fold.stateSchemaVersion };
    if (cutoff <= prunedTo) return undefined;
  }
  const removed = stored.filter((e) => e.version <= cutoff);
  return {
    policy: policy.name,
    streamId,
    action,
    fromVersion: prunedTo + 1,
    upToVersion: cutoff,
    version,
    events: removed.length,
    bytes: removed.reduce((n, e) => n + storedBytes(e), 0),
    lastPosition: removed.reduce((most, e) => Math.max(most, e.position), 0),
    ...(compaction === undefined ? {} : { compaction }),
  };
}

/**
 * The highest version the policy's rules put in range: the union of maxAge, maxCount and
 * truncateBefore (every event, for `when` alone), up to `version`.
 */
function cutoffOf(policy: RetentionPolicy, stored: readonly StoredEvent<unknown>[], version: number, now: Date): number {
  const { maxAge, maxCount, truncateBefore } = policy;
  if (maxAge === undefined && maxCount === undefined && truncateBefore === undefined) return version;
  let cutoff = 0;
  if (maxAge !== undefined) {
    const before = now.getTime() - maxAge;
    for (const e of stored) {
      if (e.recordedAt.getTime() >= before) break;
      cutoff = e.version;
    }
  }
  if (maxCount !== undefined) cutoff = Math.max(cutoff, version - maxCount);
  if (truncateBefore !== undefined) cutoff = Math.max(cutoff, Math.min(truncateBefore - 1, version));
  return cutoff;
}

/** The events of a stream after `prunedTo`, as stored. */
async function surviving(store: EventStore, streamId: string, prunedTo: number): Promise<StoredEvent<unknown>[]> {
  const events: StoredEvent<unknown>[] = [];
  for (let from = prunedTo + 1; ; ) {
    const page = await store.retention.readStored(streamId, from, PAGE);
    events.push(...page);
    if (page.length < PAGE) return events;
    from = page.at(-1)!.version + 1;
  }
}

/** The bytes an event's data and metadata take as stored: text as UTF-8, values as their JSON text. */
export function storedBytes(event: Pick<StoredEvent<unknown>, 'data' | 'metadata'>): number {
  const size = (body: unknown) => (body === null || body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : jsonBytes(body));
  return size(event.data) + size(event.metadata);
}
