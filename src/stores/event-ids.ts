// Every store names the events it is given without an id after their positions, so it
// stores no id for them and needs no index entry: only ids that callers chose are
// indexed. Such an id is a version-8 UUID: the position in its first 15 hex digits
// (around the version digit 8), then a random tag of 62 bits that the store drew once,
// when it was created. Ids sort by position, and two stores share a tag with odds of
// one in 2^62.
//
//   PPPPPPPP-PPPP-8PPP-vTTT-TTTTTTTTTTTT   (v: the variant digit, 8 to b)

import { randomBytes } from 'node:crypto';
import { variantDigit } from '../core/uuid.js';

const TAG = '[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const OWN_ID = new RegExp(`^([0-9a-f]{8})-([0-9a-f]{4})-8([0-9a-f]{3})-(${TAG})$`);

export interface EventIds {
  /** The id of the event at `position` that was given none. */
  idAt(position: number): string;
  /** The position an id of this store names, or undefined for any other id. */
  positionOf(eventId: string): number | undefined;
}

export function eventIdsOf(tag: string): EventIds {
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

/** A new tag: a variant digit (8 to b) and 15 random hex digits. */
export function newEventIdTag(): string {
  const hex = randomBytes(8).toString('hex');
  return `${variantDigit(Number.parseInt(hex[0]!, 16))}${hex.slice(1, 4)}-${hex.slice(4)}`;
}
