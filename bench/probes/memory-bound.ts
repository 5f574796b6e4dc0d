// How fast can any store that encodes its events append, measured the way W2 measures
// the memory store: 5,000 single-event appends to one stream, awaited one after
// another, each run in a fresh process.
//   encode-only: JSON.stringify the event's data and keep the text, nothing else
//   least:       also the least the contract asks (a position, from which the event's id
//                follows; a time; the stream's list and the global log), with no checks
//   memory:      Eventline's memory store, checks and all
// Usage: npx tsx bench/probes/memory-bound.ts [rounds]

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openEventStore } from '../../src/index.js';
import { postEvent } from '../events.js';
import { median } from '../stats.js';
import { roundsArgument } from './rounds.js';

const APPENDS = 5_000;
const VARIANTS = ['encode-only', 'least', 'memory'] as const;
type Variant = (typeof VARIANTS)[number];

type Append = (streamId: string, event: ReturnType<typeof postEvent>, expected: number) => Promise<number>;

async function appender(variant: Variant): Promise<Append> {
  if (variant === 'encode-only') {
    const texts: string[] = [];
    return async (_streamId, event, expected) => {
      texts.push(JSON.stringify(event.data));
      return expected + 1;
    };
  }
  if (variant === 'least') {
    const streams = new Map<string, object[]>();
    const log: object[] = [];
    return async (streamId, event, expected) => {
      const stored = { streamId, version: expected + 1, position: log.length + 1, data: JSON.stringify(event.data), recordedAt: new Date() };
      let stream = streams.get(streamId);
      if (!stream) streams.set(streamId, (stream = []));
      stream.push(stored);
      log.push(stored);
      return stored.version;
    };
  }
  const store = await openEventStore('memory:');
  return async (streamId, event, expected) =>
    (await store.appendToStream(streamId, [event], { expectedVersion: expected === 0 ? 'no_stream' : expected })).nextExpectedVersion;
}

/** Appends per second in this process. */
async function measure(variant: Variant): Promise<number> {
  const append = await appender(variant);
  const streamId = 'post-probe';
  let version = 0;
  const started = performance.now();
  for (let i = 0; i < APPENDS; i++) version = await append(streamId, postEvent(streamId, version + 1), version);
  return (APPENDS / (performance.now() - started)) * 1000;
}

const [flag, variant] = process.argv.slice(2);
if (flag === '--child') {
  console.log(await measure(variant as Variant));
} else {
  const rounds = roundsArgument(flag, 7);
  const self = fileURLToPath(import.meta.url);
  const results = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    for (const v of VARIANTS) {
      const out = execFileSync(process.execPath, [...process.execArgv, self, '--child', v], { encoding: 'utf8' });
      results.get(v)!.push(Number(out.trim()));
    }
  }
  console.log(`appends/s, median (min-max) of ${rounds} fresh processes, ${APPENDS} appends each`);
  for (const [v, values] of results) {
    const round = (n: number) => Math.round(n).toString();
    console.log(`${v.padEnd(12)} ${round(median(values)).padStart(7)}  (${round(Math.min(...values))}-${round(Math.max(...values))})`);
  }
}
