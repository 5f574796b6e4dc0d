// The names Eventline's telemetry uses: spans, metrics and attribute keys. Dashboards
// and alerts are built on them, so they change only with a release note; a test
// lists every one of them.

/** The spans, one per kind of work. */
export const SPANS = {
  append: 'eventline.append',
  read: 'eventline.read',
  command: 'eventline.command',
  projectionBatch: 'eventline.projection.batch',
  workflowStep: 'eventline.workflow.step',
  timerFire: 'eventline.timer.fire',
  outboxPublish: 'eventline.outbox.publish',
  prune: 'eventline.prune',
} as const;

/** The metrics. */
export const METRICS = {
  /** Histogram, seconds: how long an append took, whatever its outcome. */
  appendDuration: 'eventline.append.duration',
  /** Counter: events appended. */
  appendedEvents: 'eventline.append.events',
  /** Gauge, events: how far behind the head of the log a consumer is after its last batch. */
  consumerLag: 'eventline.consumer.lag',
  /** Gauge: timers found due (their time passed, not yet fired) at a round of the timer service. */
  overdueTimers: 'eventline.workflow.timers.overdue',
  /** Counter: workflow instances parked until an operator retries them. */
  parkedInstances: 'eventline.workflow.parked',
  /** Counter, bytes: store bytes a prune gave back (its report's bytesBefore less bytesAfter). */
  prunedBytes: 'eventline.prune.reclaimed',
} as const;

/** The attribute keys. None carries a payload, a full stream id or a subject id. */
export const ATTRIBUTES = {
  /** The store's kind: memory, sqlite, postgres. */
  store: 'eventline.store',
  /** The stream id up to its first `-` (see categoryOf). */
  category: 'eventline.stream.category',
  /** The distinct event types of an append, a batch or a read. */
  eventTypes: 'eventline.event.types',
  eventCount: 'eventline.event.count',
  firstPosition: 'eventline.position.first',
  lastPosition: 'eventline.position.last',
  /** Which read: stream, fold or page. */
  readKind: 'eventline.read.kind',
  /** The `type` of a command object, when it has a string one. */
  commandType: 'eventline.command.type',
  /** A projection's, workflow's or outbox relay's name. */
  consumer: 'eventline.consumer',
  /** projection, workflow or outbox. */
  consumerKind: 'eventline.consumer.kind',
  /** Events between the consumer's position and the head of the log. */
  consumerLag: 'eventline.consumer.lag',
  workflow: 'eventline.workflow',
  /** event, timer, commandDone, resume, or command for a parked delivery. */
  stepKind: 'eventline.workflow.step.kind',
  pruneDryRun: 'eventline.prune.dry_run',
  prunedEvents: 'eventline.prune.removed',
  prunedBytes: 'eventline.prune.reclaimed',
  /** The stable code of an EventlineError (or the error's class name) on a failed span. */
  errorCode: 'eventline.error.code',
} as const;

/**
 * The metadata key under which an append records the W3C trace context of its span
 * (`{ traceparent, tracestate? }`), when tracing is on. Reserved: an application's
 * own value there is replaced.
 */
export const TRACE_METADATA_KEY = '$trace';

/**
 * A stream's category: its id up to the first `-` (`post-0199…` is `post`). An id
 * without one names no category (`-`), unless it is one of Eventline's own (`$…`): an
 * id may carry personal data, so a span never shows more of it.
 */
export function categoryOf(streamId: unknown): string {
  if (typeof streamId !== 'string') return '-';
  const dash = streamId.indexOf('-');
  if (dash > 0) return streamId.slice(0, dash);
  return streamId.startsWith('$') ? streamId : '-';
}
