// The rule of writing a copied event, one for every store (storage.ts, writeCopied): an
// event already stored at its own place is passed over, so a copy run again after a
// crash neither duplicates nor fails; anything else that holds its id or its place is
// another event, and the copy is refused.

import { CopyRefusedError } from '../core/errors.js';
import type { CopiedEvent, StoredEventId } from './storage.js';

/**
 * Whether to write `event` ('write') or pass it over ('stored'): `stored` is where its id
 * is (or was, before a prune) in the target, `streamVersion` the highest version its
 * stream has there, or had. Copies arrive in the source's order, so a stream's versions
 * only rise: a version at or below the stream's is another event's place.
 */
export function copyAction(event: CopiedEvent<unknown>, stored: Omit<StoredEventId, 'eventId'> | undefined, streamVersion: number): 'write' | 'stored' {
  if (stored !== undefined) {
    if (stored.streamId === event.streamId && stored.version === event.version) return 'stored';
    throw new CopyRefusedError('conflict', `the target holds event ${event.eventId} at stream '${stored.streamId}' version ${stored.version}, not at '${event.streamId}' version ${event.version}`);
  }
  if (event.version <= streamVersion) {
    throw new CopyRefusedError('conflict', `the target's stream '${event.streamId}' is at version ${streamVersion} already, with other events than the source's version ${event.version}`);
  }
  return 'write';
}
