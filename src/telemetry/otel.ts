// Finding OpenTelemetry, when it is there. `@opentelemetry/api` is an optional peer
// dependency: without it installed every check here answers "off" and Eventline works
// as it does without telemetry. With it, telemetry is on only while an application
// has registered a tracer or meter provider; the check is two lookups in the API's
// globals and allocates nothing, so the path without telemetry stays as it was.

import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type { Meter, Tracer } from '@opentelemetry/api';

export type Api = typeof OtelApi;

const INSTRUMENTATION = 'eventline';

/** The API package, or undefined when it is not installed (or will not load). */
export function loadApi(load: (id: string) => unknown = createRequire(import.meta.url)): Api | undefined {
  try {
    // The API keeps its providers in one global, so this copy sees what the application registered with its own.
    return load('@opentelemetry/api') as Api;
  } catch {
    return undefined;
  }
}

export const api = loadApi();

// What the API hands out while nothing is registered: a proxy whose delegate is its no-op provider, and the no-op meter.
const noopTracerProvider = api === undefined ? undefined : new api.ProxyTracerProvider().getDelegate();
const NoopMeter = api?.createNoopMeter().constructor;

let tracerOf: unknown;
let tracer: Tracer | undefined;

/** Eventline's tracer while a tracer provider is registered, else undefined. */
export function activeTracer(): Tracer | undefined {
  if (api === undefined) return undefined;
  const provider = api.trace.getTracerProvider() as OtelApi.TracerProvider & { getDelegate?: () => OtelApi.TracerProvider };
  const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
  if (delegate === noopTracerProvider) return undefined;
  if (delegate !== tracerOf) {
    tracerOf = delegate;
    tracer = provider.getTracer(INSTRUMENTATION);
  }
  return tracer;
}

let meterOf: unknown;
let meter: Meter | undefined;

/** Eventline's meter while a meter provider is registered, else undefined. */
export function activeMeter(): Meter | undefined {
  if (api === undefined) return undefined;
  const provider = api.metrics.getMeterProvider();
  if (provider !== meterOf) {
    meterOf = provider;
    const candidate = provider.getMeter(INSTRUMENTATION);
    meter = candidate.constructor === NoopMeter ? undefined : candidate;
  }
  return meter;
}
