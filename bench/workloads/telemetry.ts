// O1: what OpenTelemetry costs when an application turns it on. W1's appends and P2's
// append-to-visible latency, each measured with the SDK registered and without, in
// turns within one measurement, so both see the same machine at the same moment. On:
// a tracer provider whose spans go through a BatchSpanProcessor (the processor an
// application exports with) to the SDK's in-memory exporter, counted and emptied every
// half second and after each turn (an exporter ships spans off; one that kept them all
// would measure the garbage collector), and a meter provider whose instruments
// aggregate every measurement (read by no one).
// Off: nothing registered, Eventline's telemetry checks and does nothing.

import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { LivePosts } from './adapter.js';
import { postEvent } from './events.js';
import { appendToVisible } from './projections.js';
import { mustAppend, percentile, perSecond, type Measurement, type Workload, type WorkloadContext } from './workload.js';

/** W1's appends go in turns of this many, traced and plain each in its turn. */
const TURN = 250;
/** P2 runs in this many turns, off and on in the order off, on, on, off, off, on, on, off. */
const P2_TURNS = 8;

/** The metrics are aggregated as an application's would be; nothing reads them here. */
class UnreadMetrics extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface TelemetrySwitch {
  on(): void;
  off(): void;
  /** Spans exported so far (the exporter is emptied at each `off`). */
  spans: number;
  /** Exports what the processor still queues, and counts it. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

function telemetrySwitch(): TelemetrySwitch {
  const exporter = new InMemorySpanExporter();
  const processor = new BatchSpanProcessor(exporter);
  const tracers = new NodeTracerProvider({ spanProcessors: [processor] });
  const meters = new MeterProvider({ readers: [new UnreadMetrics()] });
  const contexts = new AsyncLocalStorageContextManager();
  const empty = () => {
    state.spans += exporter.getFinishedSpans().length;
    exporter.reset();
  };
  const emptying = setInterval(empty, 500);
  const state: TelemetrySwitch = {
    spans: 0,
    on() {
      context.setGlobalContextManager(contexts.enable());
      trace.setGlobalTracerProvider(tracers);
      metrics.setGlobalMeterProvider(meters);
    },
    off() {
      trace.disable();
      context.disable();
      metrics.disable();
      empty();
    },
    async flush() {
      await processor.forceFlush();
      empty();
    },
    async shutdown() {
      clearInterval(emptying);
      state.off();
      await tracers.shutdown();
      await meters.shutdown();
    },
  };
  return state;
}

const round = (n: number) => Number(n.toFixed(3));

/** An O1 workload: `measure` gets the store and the switch, shut down after it. */
function o1(workload: Pick<Workload, 'id' | 'label' | 'unit'>, measure: (context: WorkloadContext, telemetry: TelemetrySwitch) => Promise<Measurement>): Workload {
  return {
    ...workload,
    group: 'O1',
    kinds: ['sqlite', 'postgres'],
    families: ['ours'],
    async run(context) {
      const telemetry = telemetrySwitch();
      try {
        return await measure(context, telemetry);
      } finally {
        await telemetry.shutdown();
      }
    },
  };
}

export const o1Appends = o1(
  { id: 'O1-W1', label: 'O1 W1 with OpenTelemetry on (events/s traced)', unit: 'events/s' },
  async ({ store, sizes }, telemetry) => {
    const n = Math.max(TURN, Math.round(sizes.w1Appends / TURN) * TURN);
    const append = (i: number) => store.append(`post-${i}`, [postEvent(`post-${i}`, 1)], 0);
    const ms = { off: 0, on: 0 };
    // Untimed: both paths run until they are optimised (streams after the timed ones).
    for (const mode of ['on', 'off'] as const) {
      telemetry[mode]();
      for (let i = 0; i < TURN; i++) mustAppend(await append(2 * n + (mode === 'on' ? i : TURN + i)), 'warm-up');
    }
    telemetry.off();
    const order: ('off' | 'on')[] = ['off', 'on'];
    for (let from = 0; from < n; from += TURN) {
      // Each goes first in turn: whatever the first of a turn pays (a checkpoint, say) is shared.
      order.reverse();
      for (const mode of order) {
        telemetry[mode]();
        const base = mode === 'on' ? n : 0;
        const started = performance.now();
        for (let i = from; i < from + TURN; i++) mustAppend(await append(base + i), `post-${base + i}`);
        ms[mode] += performance.now() - started;
        telemetry.off();
      }
    }
    // Spans still queued in the processor are counted too.
    await telemetry.flush();
    return {
      value: perSecond(n, ms.on),
      details: { off: Math.round(perSecond(n, ms.off)), costRatio: round(ms.on / ms.off), spans: telemetry.spans },
    };
  },
);

export const o1Projection = o1(
  { id: 'O1-P2', label: 'O1 P2 with OpenTelemetry on (p99 ms traced)', unit: 'ms' },
  async ({ store, sizes }, telemetry) => {
    if (!store.livePosts) return { skipped: store.noLivePosts ?? 'no async projection' };
    const live: LivePosts = await store.livePosts();
    const latencies = { off: [] as number[], on: [] as number[] };
    const seconds = sizes.p2Seconds / P2_TURNS;
    try {
      for (let turn = 0; turn < P2_TURNS; turn++) {
        const mode = turn % 4 === 0 || turn % 4 === 3 ? 'off' : 'on';
        telemetry[mode]();
        // Posts of 4 events: each turn writes posts of its own.
        const { sorted } = await appendToVisible(live, sizes.p2Rate, seconds, turn * Math.ceil((sizes.p2Rate * seconds) / 4));
        latencies[mode].push(...sorted);
        telemetry.off();
      }
    } finally {
      await live.stop();
    }
    await telemetry.flush();
    const on = latencies.on.sort((a, b) => a - b);
    const off = latencies.off.sort((a, b) => a - b);
    const p99 = { on: percentile(on, 99), off: percentile(off, 99) };
    const p50 = { on: percentile(on, 50), off: percentile(off, 50) };
    return {
      value: p99.on,
      details: {
        p99Off: round(p99.off),
        p50: round(p50.on),
        p50Off: round(p50.off),
        costRatio: round(p99.on / p99.off),
        p50Ratio: round(p50.on / p50.off),
        spans: telemetry.spans,
      },
    };
  },
);
