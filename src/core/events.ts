// The shapes an application writes and reads. Data is plain JSON; the codec turns it
// into the opaque text a store keeps.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What an application appends. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  metadata?: Record<string, unknown>;
  /** A UUID; generated when absent. Reusing one makes a retried append idempotent. */
  eventId?: string;
}

/** What a store gives back: the event plus where and when it was recorded. */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  streamId: string;
  /** 1 for the first event of its stream. */
  version: number;
  /** Global and strictly increasing; never reused. */
  position: number;
  eventId: string;
  type: Type;
  data: Data;
  metadata: Record<string, unknown> | undefined;
  recordedAt: Date;
}
