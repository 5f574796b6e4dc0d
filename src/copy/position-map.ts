// The position map of a copy, in a read-model table of the target: which target
// position each source position went to, as ranges (a run of consecutive positions on
// both sides is one row), written in the same transaction as the events it maps. It is
// also where a copy run again finds how far the last one got, and from which source.

import { CopyRefusedError } from '../core/errors.js';
import type { EventStore } from '../store/event-store.js';
import { tableExists, type ReadModelDb, type ReadModelTables } from '../store/read-models.js';

export const POSITION_MAP = 'eventline_copy_positions';

const CREATE = `
  CREATE TABLE IF NOT EXISTS {${POSITION_MAP}} (
    source_from   BIGINT PRIMARY KEY,
    source_to     BIGINT NOT NULL,
    target_from   BIGINT NOT NULL,
    last_event_id TEXT   NOT NULL
  )`;

const SELECT_ALL = `SELECT source_from AS "sourceFrom", source_to AS "sourceTo", target_from AS "targetFrom", last_event_id AS "lastEventId" FROM {${POSITION_MAP}} ORDER BY source_from`;

// A range a run before wrote already (its events passed over as stored) stays as it was.
const INSERT = `
  INSERT INTO {${POSITION_MAP}} (source_from, source_to, target_from, last_event_id) VALUES ($1, $2, $3, $4)
  ON CONFLICT (source_from) DO NOTHING`;

/** Source positions sourceFrom..sourceTo went to targetFrom.., one after another. */
export interface PositionRange {
  sourceFrom: number;
  sourceTo: number;
  targetFrom: number;
  /** The id of the event at sourceTo: how a later run knows its source. */
  lastEventId: string;
}

export interface PositionMap {
  readonly ranges: readonly PositionRange[];
  /** The last source position copied (0 for none). */
  readonly sourceEnd: number;
  /** The last target position written (0 for none). */
  readonly targetEnd: number;
  /** How many events are mapped. */
  readonly events: number;
  /**
   * The target position of the newest copied event at or before source position
   * `position`: what a consumer that had read up to `position` has read in the target.
   */
  translate(position: number): number;
}

export function tablesOf(store: EventStore): ReadModelTables {
  return { [POSITION_MAP]: store.readModels.table(POSITION_MAP) };
}

/** The target's map, empty when no copy wrote one. Reads only: a refused copy writes nothing. */
export async function readPositionMap(target: EventStore): Promise<PositionMap> {
  const readModels = target.readModels;
  const ranges = await readModels.transaction(tablesOf(target), async (db) => {
    return (await tableExists(db, readModels, POSITION_MAP)) ? db.all<Record<keyof PositionRange, number | string>>(SELECT_ALL) : [];
  });
  return positionMapOf(
    ranges.map((r) => ({ sourceFrom: Number(r.sourceFrom), sourceTo: Number(r.sourceTo), targetFrom: Number(r.targetFrom), lastEventId: String(r.lastEventId) })),
  );
}

export function positionMapOf(ranges: readonly PositionRange[]): PositionMap {
  const last = ranges.at(-1);
  const end = (r: PositionRange) => r.targetFrom + (r.sourceTo - r.sourceFrom);
  return {
    ranges,
    sourceEnd: last?.sourceTo ?? 0,
    targetEnd: last === undefined ? 0 : end(last),
    events: ranges.reduce((sum, r) => sum + r.sourceTo - r.sourceFrom + 1, 0),
    translate(position) {
      // The last range that starts at or before the position.
      let low = 0;
      let high = ranges.length - 1;
      let found: PositionRange | undefined;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (ranges[middle]!.sourceFrom <= position) {
          found = ranges[middle];
          low = middle + 1;
        } else high = middle - 1;
      }
      if (found === undefined) return 0;
      return position >= found.sourceTo ? end(found) : found.targetFrom + (position - found.sourceFrom);
    },
  };
}

/** The ranges of one batch: source and target positions side by side, in order. */
export function rangesOf(sourcePositions: readonly number[], targetPositions: readonly number[], eventIds: readonly string[]): PositionRange[] {
  const ranges: PositionRange[] = [];
  for (let i = 0; i < sourcePositions.length; i++) {
    const source = sourcePositions[i]!;
    const target = targetPositions[i]!;
    const current = ranges.at(-1);
    if (current !== undefined && source === current.sourceTo + 1 && target === current.targetFrom + (source - current.sourceFrom)) {
      current.sourceTo = source;
      current.lastEventId = eventIds[i]!;
    } else {
      ranges.push({ sourceFrom: source, sourceTo: source, targetFrom: target, lastEventId: eventIds[i]! });
    }
  }
  return ranges;
}

/** Writes a batch's ranges, inside the transaction that writes its events. */
export async function recordRanges(db: ReadModelDb, ranges: readonly PositionRange[], create: boolean): Promise<void> {
  if (create) await db.exec(CREATE);
  for (const r of ranges) db.defer(INSERT, [r.sourceFrom, r.sourceTo, r.targetFrom, r.lastEventId]);
  await db.flush();
}

/** The id of a store's event at a position, or undefined when there is none (pruned). */
export type IdAt = (position: number) => Promise<string | undefined>;

/**
 * Refuses a target this copy cannot continue: one holding events no copy from this
 * source wrote (another store's, or appended since), or filled from another store: the
 * first and the last event the map names must have the same ids on both sides.
 */
export async function assertContinuable(target: EventStore, map: PositionMap, sourceIdAt: IdAt, targetIdAt: IdAt): Promise<void> {
  const head = await target.headPosition();
  if (map.ranges.length === 0) {
    if (head > 0) throw new CopyRefusedError('foreign-target', 'the target holds events, and no copy wrote them: copy into a new store, or one this copy partly filled');
    return;
  }
  if (head !== map.targetEnd) {
    throw new CopyRefusedError('foreign-target', `the target holds events after the ones this copy wrote (its head is ${head}, the copy's last is ${map.targetEnd})`);
  }
  const first = map.ranges[0]!;
  const last = map.ranges.at(-1)!;
  const [firstId, lastId] = [await sourceIdAt(first.sourceFrom), await sourceIdAt(last.sourceTo)];
  if (lastId !== last.lastEventId || firstId === undefined || firstId !== (await targetIdAt(first.targetFrom))) {
    throw new CopyRefusedError('other-source', `the target was filled by a copy from another store (its events at source positions ${first.sourceFrom} and ${last.sourceTo} are not the source's)`);
  }
}
