// One function per kind of work Eventline traces, called where that work runs. Each
// checks first whether a tracer or meter provider is registered and, when none is,
// runs the work as it is: no span, no copy, no clock read.

import type { Attributes, Tracer } from '@opentelemetry/api';
import { ATTRIBUTES as A, categoryOf, SPANS } from './names.js';
import { activeInstruments, type Instruments } from './metrics.js';
import { activeTracer, api } from './otel.js';
import { batchPlacement, inSpan, markFailed } from './spans.js';
import { carrierOf, withTraceMetadata } from './trace-context.js';

interface LoggedEvent {
  type: string;
  position: number;
  metadata: Record<string, unknown> | undefined;
}

/**
 * An append: the `eventline.append` span, whose trace context goes into each event's
 * metadata, and the append's duration and count. The span is not made active: an
 * append starts no work of its own that could be traced under it.
 */
export function observeAppend<E, O, R extends { lastPosition: number }>(
  store: string,
  streamId: string,
  events: readonly E[],
  options: O,
  append: (streamId: string, events: readonly E[], options: O) => Promise<R>,
): Promise<R> {
  const tracer = activeTracer();
  const instruments = activeInstruments();
  if (tracer === undefined && instruments === undefined) return append(streamId, events, options);
  return observedAppend(tracer, instruments, appendAttributes(store, categoryOf(streamId)), streamId, events, options, append);
}

async function observedAppend<E, O, R extends { lastPosition: number }>(
  tracer: Tracer | undefined,
  instruments: Instruments | undefined,
  attributes: Attributes,
  streamId: string,
  events: readonly E[],
  options: O,
  append: (streamId: string, events: readonly E[], options: O) => Promise<R>,
): Promise<R> {
  const started = instruments === undefined ? 0 : performance.now();
  const count = Array.isArray(events) ? events.length : 0;
  const span = tracer?.startSpan(SPANS.append, { attributes });
  try {
    let traced = events;
    if (span !== undefined) {
      span.setAttribute(A.eventTypes, typesOf(events));
      span.setAttribute(A.eventCount, count);
      if (span.isRecording()) traced = withTraceMetadata(events, carrierOf(span.spanContext()));
    }
    const result = await append(streamId, traced, options);
    span?.setAttribute(A.lastPosition, result.lastPosition);
    instruments?.appendedEvents.add(count, attributes);
    return result;
  } catch (error) {
    if (span !== undefined) markFailed(span, error);
    throw error;
  } finally {
    span?.end();
    instruments?.appendDuration.record((performance.now() - started) / 1000, attributes);
  }
}

/** The attributes of an append's span and metrics, one object per store and category, made once (the metrics key on them per record). */
const appendAttributesOf = new Map<string, Map<string, Attributes>>();
const MAX_CATEGORIES = 1000;

function appendAttributes(store: string, category: string): Attributes {
  let byCategory = appendAttributesOf.get(store);
  if (byCategory === undefined) appendAttributesOf.set(store, (byCategory = new Map()));
  let attributes = byCategory.get(category);
  if (attributes === undefined) {
    attributes = Object.freeze({ [A.store]: store, [A.category]: category });
    if (byCategory.size < MAX_CATEGORIES) byCategory.set(category, attributes);
  }
  return attributes;
}

/** A read: stream, fold (with the category of the stream) or page (of the whole log). */
export function observeRead<T>(store: string, kind: 'stream' | 'fold' | 'page', streamId: string | undefined, read: () => Promise<T>, summary: (result: T) => { count: number; lastPosition?: number }): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return read();
  const attributes = { [A.store]: store, [A.readKind]: kind, ...(streamId !== undefined && { [A.category]: categoryOf(streamId) }) };
  return inSpan(tracer, SPANS.read, { attributes }, async (span) => {
    const result = await read();
    const { count, lastPosition } = summary(result);
    span.setAttribute(A.eventCount, count);
    if (lastPosition !== undefined) span.setAttribute(A.lastPosition, lastPosition);
    return result;
  });
}

/** A command: load, decide and append, retried on conflicts, all under one span. */
export function observeCommand<R extends { events: readonly { type: string }[]; lastPosition: number }>(store: string, streamId: string, command: unknown, run: () => Promise<R>): Promise<R> {
  const tracer = activeTracer();
  if (tracer === undefined) return run();
  const type = (command as { type?: unknown } | null)?.type;
  const attributes = { [A.store]: store, [A.category]: categoryOf(streamId), ...(typeof type === 'string' && { [A.commandType]: type }) };
  return inSpan(tracer, SPANS.command, { attributes }, async (span) => {
    const result = await run();
    span.setAttributes({ [A.eventCount]: result.events.length, [A.eventTypes]: typesOf(result.events), [A.lastPosition]: result.lastPosition });
    return result;
  });
}

/** A batch a consumer applies: its lag, and the span linked to the appends of its events. */
export function observeBatch<T>(consumer: { kind: string; name: string; store: string }, events: readonly LoggedEvent[], lag: number, run: () => Promise<T>): Promise<T> {
  activeInstruments()?.consumerLag.record(Math.max(lag, 0), { [A.consumerKind]: consumer.kind, [A.consumer]: consumer.name });
  const tracer = activeTracer();
  if (tracer === undefined) return run();
  const attributes = {
    [A.store]: consumer.store,
    [A.consumerKind]: consumer.kind,
    [A.consumer]: consumer.name,
    [A.consumerLag]: Math.max(lag, 0),
    [A.eventCount]: events.length,
    [A.eventTypes]: typesOf(events),
    ...(events.length > 0 && { [A.firstPosition]: events[0]!.position, [A.lastPosition]: events.at(-1)!.position }),
  };
  return inSpan(tracer, SPANS.projectionBatch, { attributes, ...batchPlacement(events) }, () => run());
}

/** A workflow step, under the active context (the input event's trace, or a timer's span). */
export function observeStep<T>(workflow: string, kind: string, input: LoggedEvent | undefined, run: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return run();
  const attributes = {
    [A.workflow]: workflow,
    [A.stepKind]: kind,
    ...(input !== undefined && { [A.eventTypes]: [input.type], [A.lastPosition]: input.position }),
  };
  return inSpan(tracer, SPANS.workflowStep, { attributes }, () => run());
}

/** A due timer fired: a trace of its own, the step it takes inside. */
export function observeTimer<T>(workflow: string, run: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return run();
  return inSpan(tracer, SPANS.timerFire, { attributes: { [A.workflow]: workflow }, parent: api!.ROOT_CONTEXT }, () => run());
}

/** An outbox message published, in the trace of the append that recorded it; the publish reads the trace headers from the active span. */
export function observePublish<T>(relay: string, event: LoggedEvent & { streamId: string }, run: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return run();
  const attributes = {
    [A.consumerKind]: 'outbox',
    [A.consumer]: relay,
    [A.category]: categoryOf(event.streamId),
    [A.lastPosition]: event.position,
  };
  return inSpan(tracer, SPANS.outboxPublish, { attributes, parent: batchPlacement([event]).parent, kind: api!.SpanKind.PRODUCER }, () => run());
}

/** A prune run (or a dry run), and the bytes it gave back. */
export async function observePrune<R extends { removed: number; bytesBefore: number; bytesAfter: number; dryRun: boolean }>(store: string, dryRun: boolean, run: () => Promise<R>): Promise<R> {
  const tracer = activeTracer();
  const report = tracer === undefined ? await run() : await inSpan(tracer, SPANS.prune, { attributes: { [A.store]: store, [A.pruneDryRun]: dryRun } }, async (span) => {
    const report = await run();
    span.setAttributes({ [A.prunedEvents]: report.removed, [A.prunedBytes]: reclaimed(report) });
    return report;
  });
  if (!report.dryRun && reclaimed(report) > 0) activeInstruments()?.prunedBytes.add(reclaimed(report), { [A.store]: store });
  return report;
}

function reclaimed(report: { bytesBefore: number; bytesAfter: number; dryRun: boolean }): number {
  return report.dryRun ? 0 : Math.max(report.bytesBefore - report.bytesAfter, 0);
}

/** The distinct types of some events, in order of first appearance (nothing for what is no array). */
function typesOf(events: readonly unknown[]): string[] {
  if (!Array.isArray(events)) return [];
  if (events.length === 1) {
    const type = (events[0] as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? [type] : [];
  }
  const types = new Set<string>();
  for (const event of events) {
    const type = (event as { type?: unknown } | null)?.type;
    if (typeof type === 'string') types.add(type);
  }
  return [...types];
}
