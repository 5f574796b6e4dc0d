// Eventline's metric instruments, made once per registered meter provider. Each
// record function does nothing while no meter provider is registered.

import type { Counter, Gauge, Histogram, Meter } from '@opentelemetry/api';
import { ATTRIBUTES as A, METRICS } from './names.js';
import { activeMeter } from './otel.js';

export interface Instruments {
  appendDuration: Histogram;
  appendedEvents: Counter;
  consumerLag: Gauge;
  overdueTimers: Gauge;
  parkedInstances: Counter;
  prunedBytes: Counter;
}

let instrumentsOf: Meter | undefined;
let instruments: Instruments | undefined;

export function activeInstruments(): Instruments | undefined {
  const meter = activeMeter();
  if (meter === undefined) return undefined;
  if (meter !== instrumentsOf) {
    instrumentsOf = meter;
    instruments = {
      appendDuration: meter.createHistogram(METRICS.appendDuration, { unit: 's', description: 'How long an append took' }),
      appendedEvents: meter.createCounter(METRICS.appendedEvents, { unit: '{event}', description: 'Events appended' }),
      consumerLag: meter.createGauge(METRICS.consumerLag, { unit: '{event}', description: 'Events between a consumer and the head of the log' }),
      overdueTimers: meter.createGauge(METRICS.overdueTimers, { unit: '{timer}', description: 'Workflow timers due and not yet fired' }),
      parkedInstances: meter.createCounter(METRICS.parkedInstances, { unit: '{instance}', description: 'Workflow instances parked until retried' }),
      prunedBytes: meter.createCounter(METRICS.prunedBytes, { unit: 'By', description: 'Store bytes given back by pruning' }),
    };
  }
  return instruments;
}

export function recordConsumerLag(kind: string, name: string, lag: number): void {
  activeInstruments()?.consumerLag.record(Math.max(lag, 0), { [A.consumerKind]: kind, [A.consumer]: name });
}

export function recordOverdueTimers(workflow: string, count: number): void {
  activeInstruments()?.overdueTimers.record(count, { [A.workflow]: workflow });
}

export function recordParked(workflow: string): void {
  activeInstruments()?.parkedInstances.add(1, { [A.workflow]: workflow });
}
