// Running work in a span, and the spans of work done for events read from the log:
// a consumer's span continues the trace of the append that wrote its events. Spans
// carry names and numbers only; a failed span keeps the error's code, never its
// message, which may quote a payload.

import type { Attributes, Context, Link, Span, SpanContext, SpanKind, Tracer } from '@opentelemetry/api';
import { ATTRIBUTES as A } from './names.js';
import { activeTracer, api } from './otel.js';
import { carrierOf, contextUnder, eventSpanContext } from './trace-context.js';

export interface SpanOptions {
  attributes?: Attributes;
  links?: Link[];
  /** Default: the active context. */
  parent?: Context;
  kind?: SpanKind;
}

/** The most links a span gets: one per distinct append among its events. */
const MAX_LINKS = 64;

/** Runs `work` in a new span made active for it; the span ends when the work settles. */
export async function inSpan<T>(tracer: Tracer, name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const otel = api!;
  const parent = options.parent ?? otel.context.active();
  const span = tracer.startSpan(name, { attributes: options.attributes, links: options.links, kind: options.kind }, parent);
  try {
    return await otel.context.with(otel.trace.setSpan(parent, span), work, undefined, span);
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error's code, never its message (it may quote a payload). */
export function markFailed(span: Span, error: unknown): void {
  span.setAttribute(A.errorCode, errorCode(error));
  span.setStatus({ code: api!.SpanStatusCode.ERROR });
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Where the span of work on a batch of events goes: a link to each append the events
 * came from and, when they all belong to one trace, under the first of them, so that
 * the trace of a command shows what followed from it. Else the span starts a trace of
 * its own, linked to each.
 */
export function batchPlacement(events: readonly { metadata: Record<string, unknown> | undefined }[]): { parent: Context; links: Link[] } {
  const otel = api!;
  const links: Link[] = [];
  const seen = new Set<string>();
  let first: SpanContext | undefined;
  let oneTrace = true;
  for (const event of events) {
    const context = eventSpanContext(otel, event);
    if (context === undefined || seen.has(context.spanId)) continue;
    seen.add(context.spanId);
    first ??= context;
    if (context.traceId !== first.traceId) oneTrace = false;
    if (links.length < MAX_LINKS) links.push({ context });
  }
  return { parent: contextUnder(otel, oneTrace ? first : undefined), links };
}

/** Runs `work` in the trace of the append that wrote `event` (the root context when none was traced). */
export function inEventTrace<T>(event: { metadata: Record<string, unknown> | undefined }, work: () => Promise<T>): Promise<T> {
  if (activeTracer() === undefined) return work();
  const otel = api!;
  return otel.context.with(contextUnder(otel, eventSpanContext(otel, event)), work);
}

/** Runs `work` outside any trace it was started from: its spans start traces of their own. */
export function inNewTrace<T>(work: () => Promise<T>): Promise<T> {
  if (activeTracer() === undefined) return work();
  return api!.context.with(api!.ROOT_CONTEXT, work);
}

/** The active span's W3C trace context as message headers, or undefined when no span is active. */
export function activeTraceHeaders(): Record<string, string> | undefined {
  if (activeTracer() === undefined) return undefined;
  const span = api!.trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return undefined;
  return { ...carrierOf(span.spanContext()) };
}
