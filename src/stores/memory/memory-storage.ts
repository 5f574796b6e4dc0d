// The learning store: a Map of streams and one global log, nothing more.
// It follows the same rules as the SQL stores, so every test can run on it. It keeps
// whatever its codec makes of an event: by default a private copy of the JSON values.

import { copyCodec } from '../../core/codec.js';
import { compareCodePoints } from '../../core/compare.js';
import { jsonBytes } from '../../core/json.js';
import { eventIdsOf, findGivenIds, hasGivenIds, idToStore, newEventIdTag } from '../event-ids.js';
import { createWatchers } from '../watchers.js';
import { checkExpectedVersion, idempotentResult } from '../../store/append-rules.js';
import { isUnfiltered, matchesEventFilter } from '../../store/event-filter.js';
import { RestoreConflictError, type ExpectedVersion } from '../../core/errors.js';
import { copyAction } from '../../store/copy-rules.js';
import { assertPrunable, restoreConflict } from '../../store/prune-rules.js';
import type { AppendResult, AuditAppend, CopiedEvent, EventStorage, EventToStore, RetentionStorage, StoredEvent, StoredEventId } from '../../store/storage.js';
import { createMemoryReadModels } from '../sqlite-db/memory-read-models.js';
import { createMemorySnapshots } from './snapshots.js';
import { inProcessMaintenance } from '../maintenance-lock.js';

/**
 * An event as the memory store keeps it: with no id when it was given none, and its time
 * as milliseconds (every read makes a Date of its own).
 */
type Kept = Omit<StoredEvent<unknown>, 'eventId' | 'recordedAt'> & { eventId: string | undefined; recordedAt: number };

export function createMemoryStorage(): EventStorage<unknown> {
  // A stream's events by version - 1, and the log by position - 1: a pruned event leaves
  // a hole, so a stream's length stays its version and positions stay indexes.
  const streams = new Map<string, (Kept | undefined)[]>();
  const log: (Kept | undefined)[] = [];
  let kept = 0;
  // What is left of pruned events: where each was, by position, and by the id it was given.
  const pruned = new Map<number, StoredEventId & { given: boolean }>();
  const prunedById = new Map<string, StoredEventId>();
  // Only ids that callers chose: the others follow from positions (event-ids.ts).
  const byEventId = new Map<string, StoredEventId>();
  const ids = eventIdsOf(newEventIdTag());
  // The largest position named by an id of this store that a caller gave before the
  // store reached it. Events up to there get a UUIDv7 instead, so no id is given twice.
  let namedAhead = 0;
  let lastPosition = 0;
  const watchers = createWatchers();
  const readModels = createMemoryReadModels();
  const turn = createTurn();

  /** Whether a stream has an event left: a prune removes a prefix, so its last one is there unless all are gone. */
  const hasEvents = (streamId: string) => streams.get(streamId)?.at(-1) !== undefined;

  /** Reads hand over copies: the EventStore turns what it reads into recorded events in place. */
  const copyOf = (e: Kept): StoredEvent<unknown> => ({ ...e, eventId: e.eventId ?? ids.idAt(e.position), recordedAt: new Date(e.recordedAt) });

  /** Where an id is stored: at the position it names if this store named it, else among the given ones. */
  function find(eventId: string, position: number | undefined): StoredEventId | undefined {
    const named = position === undefined ? undefined : (log[position - 1] ?? pruned.get(position));
    if (named && (named.eventId === undefined || ('given' in named && !named.given))) {
      return { eventId, streamId: named.streamId, version: named.version, position: named.position };
    }
    return byEventId.get(eventId) ?? prunedById.get(eventId);
  }

  /** Checks an append and plans what it would store, changing nothing. */
  function plan(streamId: string, events: readonly EventToStore<unknown>[], expectedVersion: ExpectedVersion) {
    let ahead = namedAhead;
    // Most appends bring no ids of their own: nothing to look up.
    if (hasGivenIds(events)) {
      const given = findGivenIds(events, ids, find);
      ahead = Math.max(ahead, given.namedAhead);
      const retried = idempotentResult(streamId, events, given.existing);
      if (retried) return { result: retried, staged: [], ahead };
    }

    const stream = streams.get(streamId);
    const version = stream === undefined ? 0 : stream.length;
    checkExpectedVersion(streamId, expectedVersion, version);
    const now = Date.now();
    const staged: Kept[] = [];
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const position = lastPosition + i + 1;
      staged.push(toKept(streamId, version + i + 1, position, idToStore(event.eventId, position, ahead, now), event, now));
    }
    return { result: { nextExpectedVersion: version + events.length, lastPosition: lastPosition + events.length }, staged, ahead };
  }

  function commit(streamId: string, { staged, ahead }: ReturnType<typeof plan>): void {
    namedAhead = ahead;
    if (staged.length === 0) return;
    let stream = streams.get(streamId);
    if (stream === undefined) streams.set(streamId, (stream = []));
    for (let i = 0; i < staged.length; i++) keep(stream, staged[i]!);
    lastPosition = staged[staged.length - 1]!.position;
    watchers.notify();
  }

  /**
   * The common append, bringing no ids of its own and running no hook: checked and kept
   * in one pass, without plan and commit's staged list and second loop: less work in
   * code not yet optimised, where a short run of appends spends most of its time.
   */
  function appendUnnamed(streamId: string, events: readonly EventToStore<unknown>[], expectedVersion: ExpectedVersion): AppendResult {
    let stream = streams.get(streamId);
    const version = stream === undefined ? 0 : stream.length;
    checkExpectedVersion(streamId, expectedVersion, version);
    if (stream === undefined) streams.set(streamId, (stream = []));
    const now = Date.now();
    for (let i = 0; i < events.length; i++) {
      const position = lastPosition + 1;
      keep(stream, toKept(streamId, version + i + 1, position, idToStore(undefined, position, namedAhead, now), events[i]!, now));
      lastPosition = position;
    }
    watchers.notify();
    return { nextExpectedVersion: stream.length, lastPosition };
  }

  // At once, with no promise of its own, unless an append with a hook holds the store.
  function append(streamId: string, events: readonly EventToStore<unknown>[], expectedVersion: ExpectedVersion): AppendResult | Promise<AppendResult> {
    if (turn.held()) return turn.wait().then(() => append(streamId, events, expectedVersion));
    if (!hasGivenIds(events)) return appendUnnamed(streamId, events, expectedVersion);
    const planned = plan(streamId, events, expectedVersion);
    commit(streamId, planned);
    return planned.result;
  }

  function keep(stream: (Kept | undefined)[], event: Kept): void {
    stream[event.version - 1] = event;
    log[event.position - 1] = event;
    kept++;
    const { eventId } = event;
    if (eventId !== undefined) byEventId.set(eventId, { eventId, streamId: event.streamId, version: event.version, position: event.position });
  }

  function unkeep(event: Kept): void {
    streams.get(event.streamId)![event.version - 1] = undefined;
    log[event.position - 1] = undefined;
    kept--;
    const given = event.eventId !== undefined;
    const eventId = event.eventId ?? ids.idAt(event.position);
    const place = { eventId, streamId: event.streamId, version: event.version, position: event.position };
    pruned.set(event.position, { ...place, given });
    if (given) {
      byEventId.delete(eventId);
      prunedById.set(eventId, place);
    }
  }

  /** Appends an audit event inside a prune or a restore, as one more step of it. */
  function appendAudit({ streamId, events }: AuditAppend<unknown>): AppendResult {
    const planned = plan(streamId, events, 'any');
    commit(streamId, planned);
    return planned.result;
  }

  async function stats() {
    let bytes = 0;
    for (const e of log) if (e !== undefined) bytes += bytesOf(e.data) + (e.metadata === null ? 0 : bytesOf(e.metadata));
    let withEvents = 0;
    for (const id of streams.keys()) if (hasEvents(id)) withEvents++;
    return { events: kept, streams: withEvents, bytes };
  }

  const retention: RetentionStorage<unknown> = {
    async prunedTo(streamId) {
      const stream = streams.get(streamId) ?? [];
      let to = 0;
      while (to < stream.length && stream[to] === undefined) to++;
      return to;
    },

    async prune(ranges, audit) {
      return turn.hold(async () => {
        for (const r of ranges) assertPrunable(r.streamId, r.upToVersion, streams.get(r.streamId)?.length ?? 0, r.version);
        let removed = 0;
        for (const { streamId, upToVersion } of ranges) {
          const stream = streams.get(streamId)!;
          for (let v = 0; v < upToVersion; v++) {
            const event = stream[v];
            if (event !== undefined) {
              unkeep(event);
              removed++;
            }
          }
        }
        const result = appendAudit(audit);
        watchers.notify();
        return { removed, audit: result };
      });
    },

    // The removed events' objects are garbage already: nothing more to give back.
    async reclaimSpace() {
      const { bytes } = await stats();
      return { bytesBefore: bytes, bytesAfter: bytes, done: 'none' as const };
    },

    async restore(events, audit) {
      return turn.hold(async () => {
        const seen = new Set<number>();
        for (const e of events) {
          const place = pruned.get(e.position);
          const stream = streams.get(e.streamId);
          const taken = seen.has(e.position) || log[e.position - 1] !== undefined || stream?.[e.version - 1] !== undefined || byEventId.has(e.eventId);
          const placeOf = place === undefined ? undefined : { ...place, eventId: place.given ? place.eventId : null };
          // Versions are 1..n in memory: one at or below the stream's is or was used.
          const versionUsed = (stream?.length ?? 0) >= e.version;
          const conflict = restoreConflict(e, placeOf, taken, versionUsed);
          if (conflict !== undefined) throw new RestoreConflictError(e.position, e.streamId, e.version, conflict);
          seen.add(e.position);
        }
        for (const e of events) {
          const place = pruned.get(e.position);
          pruned.delete(e.position);
          if (place?.given) prunedById.delete(e.eventId);
          let stream = streams.get(e.streamId);
          if (stream === undefined) streams.set(e.streamId, (stream = []));
          // An id this store names after the position is kept as none, as when it was appended.
          const eventId = ids.positionOf(e.eventId) === e.position ? undefined : e.eventId;
          keep(stream, { ...e, eventId, recordedAt: e.recordedAt.getTime() });
          lastPosition = Math.max(lastPosition, e.position);
        }
        const result = appendAudit(audit);
        watchers.notify();
        return { restored: events.length, audit: result };
      });
    },
  };

  /** Plans a batch of copied events: where each goes, or is already. Changes nothing. */
  function planCopy(events: readonly CopiedEvent<unknown>[]) {
    const positions: number[] = [];
    const staged: Kept[] = [];
    // The versions this batch takes, for a stream it copies more than one event of.
    const versions = new Map<string, number>();
    let position = lastPosition;
    for (const e of events) {
      const versionNow = versions.get(e.streamId) ?? streams.get(e.streamId)?.length ?? 0;
      const stored = find(e.eventId, ids.positionOf(e.eventId));
      if (copyAction(e, stored, versionNow) === 'stored') {
        positions.push(stored!.position);
        continue;
      }
      position++;
      versions.set(e.streamId, e.version);
      // An id this store would name after the position is kept as none, as when it was appended.
      const eventId = ids.positionOf(e.eventId) === position ? undefined : e.eventId;
      staged.push({ ...e, position, eventId, recordedAt: e.recordedAt.getTime() });
      positions.push(position);
    }
    return { positions, staged };
  }

  return {
    kind: 'memory',
    defaultCodec: copyCodec,

    append,

    // Inline work runs before the events join the log: if it throws, they never do.
    async appendWithHook(streamId, events, expectedVersion, beforeCommit) {
      return turn.hold(async () => {
        const planned = plan(streamId, events, expectedVersion);
        const { staged, result } = planned;
        const eventsAfter = async (position: number) => [...log.filter((e): e is Kept => e !== undefined && e.position > position), ...staged].map(copyOf);
        await readModels.during((dbFor) => beforeCommit(staged.map(copyOf), result, dbFor, eventsAfter));
        commit(streamId, planned);
        return result;
      });
    },

    // The map of a copy goes in before the events join the log: if it throws, they never do.
    async writeCopied(events, beforeCommit) {
      return turn.hold(async () => {
        const { positions, staged } = planCopy(events);
        const copied = { positions, written: staged.length };
        await readModels.during((dbFor) => beforeCommit(copied, dbFor));
        for (const event of staged) {
          let stream = streams.get(event.streamId);
          if (stream === undefined) streams.set(event.streamId, (stream = []));
          keep(stream, event);
          lastPosition = event.position;
        }
        if (staged.length > 0) watchers.notify();
        return copied;
      });
    },

    readModels,
    scratchReadModels: createMemoryReadModels,

    async headPosition() {
      return lastPosition;
    },

    async readStream(streamId, { fromVersion, maxCount, direction }, as) {
      const stream = streams.get(streamId) ?? [];
      const found: ReturnType<typeof as>[] = [];
      // Pruned versions are holes: passed over, and not counted.
      if (direction === 'forward') {
        for (let i = Math.max(fromVersion, 1) - 1; i < stream.length && found.length < maxCount; i++) {
          const event = stream[i];
          if (event !== undefined) found.push(as(copyOf(event)));
        }
      } else {
        for (let i = Math.min(fromVersion, stream.length) - 1; i >= 0 && found.length < maxCount; i--) {
          const event = stream[i];
          if (event !== undefined) found.push(as(copyOf(event)));
        }
      }
      return found;
    },

    // A stored event is a payload too; the facade only reads from it.
    async readStreamPayloads(streamId, fromVersion, limit) {
      const stream = streams.get(streamId) ?? [];
      const found: Kept[] = [];
      for (let i = Math.max(fromVersion, 1) - 1; i < stream.length && found.length < limit; i++) {
        const event = stream[i];
        if (event !== undefined) found.push(event);
      }
      return found;
    },

    async readAllBatch(after, filter, limit) {
      const batch: StoredEvent<unknown>[] = [];
      // Positions are 1..n in memory, so `after` and `before` are also indexes; a pruned
      // position is a hole, passed over.
      const end = filter.before === undefined ? log.length : Math.min(log.length, filter.before - 1);
      const unfiltered = isUnfiltered(filter);
      for (let i = after; i < end && batch.length < limit; i++) {
        const event = log[i];
        if (event !== undefined && (unfiltered || matchesEventFilter(event, filter))) batch.push(copyOf(event));
      }
      return batch;
    },

    watch: watchers.add,

    async listStreams(after, limit) {
      return [...streams.keys()]
        .filter((id) => (after === undefined || compareCodePoints(id, after) > 0) && hasEvents(id))
        .sort(compareCodePoints)
        .slice(0, limit)
        .map((streamId) => ({ streamId, version: streams.get(streamId)!.length }));
    },

    stats,

    snapshots: createMemorySnapshots(),

    retention,
    maintenance: inProcessMaintenance(),

    async close() {
      await turn.wait();
      readModels.close();
    },
  };
}

function toKept(streamId: string, version: number, position: number, eventId: string | undefined, event: EventToStore<unknown>, recordedAt: number): Kept {
  return { streamId, version, position, eventId, type: event.type, data: event.data, metadata: event.metadata, recordedAt };
}

/** The bytes of a body: its text, or the JSON text of the value a copying codec kept. */
function bytesOf(body: unknown): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : jsonBytes(body);
}

/** Lets one async append at a time hold the store; plain appends wait for it. */
function createTurn() {
  let current: Promise<unknown> | undefined;
  return {
    held: () => current !== undefined,
    async wait() {
      while (current) await current.catch(() => {});
    },
    async hold<T>(work: () => Promise<T>): Promise<T> {
      while (current) await current.catch(() => {});
      const running = work();
      current = running;
      try {
        return await running;
      } finally {
        current = undefined;
      }
    },
  };
}
