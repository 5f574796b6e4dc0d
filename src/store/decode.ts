// Making a stored event into a recorded one through the codec. A storage hands over each
// stored event as a fresh object (storage.ts), so it becomes the recorded event in place:
// one object per event read instead of two, which a read of thousands of events feels in
// its allocations.

import type { EventCodec } from '../core/codec.js';
import type { RecordedEvent } from '../core/events.js';
import type { StoredEvent } from './storage.js';

export type Decode<Body> = (stored: StoredEvent<Body>) => RecordedEvent;

export function eventDecoder<Body>(codec: EventCodec<Body>): Decode<Body> {
  return function decode(stored) {
    const { type, data, metadata } = codec.decode(stored);
    const event = stored as unknown as RecordedEvent;
    event.type = type;
    event.data = data;
    event.metadata = metadata;
    return event;
  };
}
