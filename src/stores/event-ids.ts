// Every store names the events it is given without an id after their positions, so it
// stores no id for them and needs no index entry: only ids that callers chose are
// indexed. Such an id is a version-8 UUID: the position in its first 15 hex digits
// (around the version digit 8), then a random tag of 62 bits that the store drew once,
// when it was created. Ids sort by position, and two stores share a tag with odds of
// one in 2^62.
//
//   PPPPPPPP-PPPP-8PPP-vTTT-TTTTTTTTTTTT   (v: the variant digit, 8 to b)

import { randomBytes } from 'node:crypto';
import { uuidv7, variantDigit } from '../core/uuid.js';
import type { EventToStore, StoredEventId } from '../store/storage.js';

const TAG = '[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const OWN_ID = new RegExp(`^([0-9a-f]{8})-([0-9a-f]{4})-8([0-9a-f]{3})-(${TAG})$`);

export interface EventIds {
  /** The id of the event at `position` that was given none. */
  idAt(position: number): string;
  /** The position an id of this store names, or undefined for any other id. */
  positionOf(eventId: string): number | undefined;
}

export function eventIdsOf(tag: string): EventIds {
  // Read from the store as it opens: the open turns this into a StoreOpenError.
  if (!new RegExp(`^${TAG}$`).test(tag)) throw new Error(`not an event-id tag: '${tag}'`);
  // A read names thousands of events, mostly at neighbouring positions: each id is the
  // head for its position / 256, kept while it stays the same, and one of 256 tails.
  const tails = Array.from({ length: 256 }, (_, low) => `${low.toString(16).padStart(2, '0')}-${tag}`);
  let headOf = -1;
  let head = '';
  return {
    idAt(position) {
      const high = Math.floor(position / 256);
      if (high !== headOf) {
        const hex = high.toString(16).padStart(13, '0');
        head = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12)}`;
        headOf = high;
      }
      return head + tails[position % 256]!;
    },
    positionOf(eventId) {
      const parts = OWN_ID.exec(eventId);
      if (!parts || parts[4] !== tag) return undefined;
      const position = Number.parseInt(parts[1]! + parts[2]! + parts[3]!, 16);
      // Positions are safe integers from 1 on; no other number is one a store hands out.
      return position >= 1 && position <= Number.MAX_SAFE_INTEGER ? position : undefined;
    },
  };
}

/** Whether any event of an append was given an id: most are not, and need no lookup. */
export function hasGivenIds(events: readonly Pick<EventToStore<unknown>, 'eventId'>[]): boolean {
  for (let i = 0; i < events.length; i++) if (events[i]!.eventId !== undefined) return true;
  return false;
}

/**
 * Where the ids an append was given are stored, each looked up by `find` (which gets the
 * position an id of the store names), for idempotentResult to judge; and the largest
 * position that an id of the store names with no event there to match: named ahead of
 * the store, as replaying events into a restored copy may do (0 when none is).
 */
export function findGivenIds(
  events: readonly Pick<EventToStore, 'eventId'>[],
  ids: EventIds,
  find: (eventId: string, position: number | undefined) => StoredEventId | undefined,
): { existing: StoredEventId[]; namedAhead: number } {
  const existing: StoredEventId[] = [];
  let namedAhead = 0;
  for (const { eventId } of events) {
    // Events without an id get one no stored event has: nothing to look for.
    if (eventId === undefined) continue;
    const position = ids.positionOf(eventId);
    const stored = find(eventId, position);
    if (stored) existing.push(stored);
    else if (position !== undefined) namedAhead = Math.max(namedAhead, position);
  }
  return { existing, namedAhead };
}

/**
 * The id an event is stored with at `position`: the one it was given; a UUIDv7 up to the
 * position named ahead, so that no id is given twice; else none, to be named after its
 * position when read.
 */
export function idToStore(given: string | undefined, position: number, namedAhead: number, now: number): string | undefined {
  return given ?? (position <= namedAhead ? uuidv7(now) : undefined);
}

/** A new tag: a variant digit (8 to b) and 15 random hex digits. */
export function newEventIdTag(): string {
  const hex = randomBytes(8).toString('hex');
  return `${variantDigit(Number.parseInt(hex[0]!, 16))}${hex.slice(1, 4)}-${hex.slice(4)}`;
}
