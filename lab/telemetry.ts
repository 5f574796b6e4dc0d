// The Lab's OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, the SDK exports the
// Lab's traces and metrics (Eventline's, and a server span per request) over OTLP/HTTP,
// as service OTEL_SERVICE_NAME (default eventline-lab). The exporters read the other
// standard OTEL_EXPORTER_OTLP_* settings themselves (headers, per-signal endpoints,
// timeouts). Without the endpoint nothing is loaded or registered: Eventline's
// telemetry then costs one check per operation.

import { metrics } from '@opentelemetry/api';

export interface LabTelemetry {
  /** Exports what is buffered, then stops. */
  shutdown(): Promise<void>;
}

const DEFAULT_METRIC_INTERVAL_MS = 60_000;

export async function startTelemetry(env: NodeJS.ProcessEnv): Promise<LabTelemetry | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { MeterProvider, PeriodicExportingMetricReader }, { OTLPMetricExporter }, { defaultResource, resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/exporter-metrics-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const resource = defaultResource().merge(resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'eventline-lab' }));
  const tracers = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  // Also AsyncLocalStorage for the active span, and the W3C propagator for incoming traceparent headers.
  tracers.register();
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter(),
    exportIntervalMillis: Number.isInteger(interval) && interval > 0 ? interval : DEFAULT_METRIC_INTERVAL_MS,
  });
  const meters = new MeterProvider({ resource, readers: [reader] });
  metrics.setGlobalMeterProvider(meters);
  return {
    async shutdown() {
      // An unreachable collector must not hold up the drain: what cannot be exported is dropped.
      await Promise.allSettled([tracers.shutdown(), meters.shutdown()]);
    },
  };
}
