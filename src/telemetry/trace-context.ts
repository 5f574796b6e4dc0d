// The W3C trace context (traceparent, tracestate) as Eventline carries it: in the
// metadata of each event an append writes while traced (TRACE_METADATA_KEY), and in
// the headers of an outbox message. Written and read here rather than by a registered
// propagator, so it is there whatever propagators an application set up.

import type { Context, SpanContext } from '@opentelemetry/api';
import { TRACE_METADATA_KEY } from './names.js';
import type { Api } from './otel.js';

export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/;

export function carrierOf(context: SpanContext): TraceCarrier {
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  const carrier: TraceCarrier = { traceparent: `00-${context.traceId}-${context.spanId}-${flags}` };
  const state = context.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}

/** The span context a carrier names, or undefined for anything that is not a valid one. */
export function spanContextOf(api: Api, carrier: unknown): SpanContext | undefined {
  if (carrier === null || typeof carrier !== 'object') return undefined;
  const { traceparent, tracestate } = carrier as Partial<Record<keyof TraceCarrier, unknown>>;
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (match === null || match[1] === 'ff' || (match[1] === '00' && traceparent.length !== 55)) return undefined;
  const context: SpanContext = { traceId: match[2]!, spanId: match[3]!, traceFlags: parseInt(match[4]!, 16), isRemote: true };
  if (!api.trace.isSpanContextValid(context)) return undefined;
  if (typeof tracestate === 'string' && tracestate !== '') context.traceState = api.createTraceState(tracestate);
  return context;
}

/** The span context an event's append recorded in its metadata, if any. */
export function eventSpanContext(api: Api, event: { metadata: Record<string, unknown> | undefined }): SpanContext | undefined {
  return event.metadata === undefined ? undefined : spanContextOf(api, event.metadata[TRACE_METADATA_KEY]);
}

/** A context whose parent is `span`, or the root context: work a consumer does belongs to the events, not to whoever started it. */
export function contextUnder(api: Api, span: SpanContext | undefined): Context {
  return span === undefined ? api.ROOT_CONTEXT : api.trace.setSpanContext(api.ROOT_CONTEXT, span);
}

/**
 * The events with the carrier in each one's metadata. Only events that are objects with
 * plain-object or no metadata get it: anything else is left for the append's checks to
 * refuse, as it would be without tracing.
 */
export function withTraceMetadata<E>(events: readonly E[], carrier: TraceCarrier): readonly E[] {
  if (!Array.isArray(events)) return events;
  return events.map((event) => {
    if (event === null || typeof event !== 'object') return event;
    const metadata: unknown = (event as { metadata?: unknown }).metadata;
    if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) return event;
    return { ...event, metadata: { ...(metadata as object | undefined), [TRACE_METADATA_KEY]: carrier } };
  });
}
