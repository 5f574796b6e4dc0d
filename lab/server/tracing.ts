// A server span per request the Lab routes, named by its method and route
// (`POST /api/posts/:id/submit`, never the URL itself), continuing the caller's
// traceparent: the spans Eventline makes for the command are its children. Nothing
// happens while no tracer provider is registered (lab/telemetry.ts registers one
// when OTEL_EXPORTER_OTLP_ENDPOINT is set).

import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';

/** Call before the routes are added: each route's handler is wrapped as it is added. */
export function traceRequests(app: FastifyInstance): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    const name = `${String(route.method)} ${route.url}`;
    route.handler = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      // The tracer of the provider registered now (one may come or go while the Lab runs).
      const span = trace.getTracer('eventline-lab').startSpan(name, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route.url } }, parent);
      if (!span.isRecording()) return handler.call(this, request, reply);
      spans.set(request, span);
      return context.with(trace.setSpan(parent, span), () => handler.call(this, request, reply));
    } as RouteHandlerMethod;
  });
  // The answer's status is known once it is sent, the error handler's included.
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (span === undefined) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}
