// Eventline's OpenTelemetry: spans, metrics and trace context in event metadata, on
// whenever an application registers a tracer or meter provider, and nothing at all
// otherwise (or without @opentelemetry/api installed). See docs/telemetry.md.

export { ATTRIBUTES, categoryOf, METRICS, SPANS, TRACE_METADATA_KEY } from './names.js';
export { recordConsumerLag, recordOverdueTimers, recordParked } from './metrics.js';
export { observeAppend, observeBatch, observeCommand, observePrune, observePublish, observeRead, observeStep, observeTimer } from './observe.js';
export { activeTraceHeaders, inEventTrace, inNewTrace } from './spans.js';
