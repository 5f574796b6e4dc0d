// How close to five times Emmett's in-memory store can any memory store come on W2 and
// W3? Runs both workloads as the bench does (its own workload code, a fresh process per
// measurement) on Eventline's and Emmett's memory stores and on three stand-ins that
// each do less than a store must:
//   harness:    keeps nothing; what the workload's own loop costs
//   least-text: keeps each event with its stream, version, position and time, its data
//               as JSON text (what a store behind a text codec must at least do), and
//               checks only the expected version
//   least-copy: the same, keeping a copy of the data object instead of text
//   checked-copy: least-copy plus the checks the contract asks of every append (stream
//               id, type, data that JSON carries faithfully), with Eventline's own code
//   fused-copy: the same checks, the data checked and copied in one walk, all in one
//               function: the least a store that checks its input can do
//   facade:     Eventline's EventStore (its checks and the memory store's copying codec)
//               over a storage that keeps nothing: what the memory store costs besides
//               keeping the events
// Emmett's store is measured once the peers are installed (`npm run bench -- --vs emmett`
// installs them); until then the probe says so and measures the rest.
// Usage: npx tsx bench/probes/memory-bound.ts [rounds] [W2|W3] [store,store,...]

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { copyCodec } from '../../src/core/codec.js';
import { assertJsonFaithful } from '../../src/core/json.js';
import { createEventStore, type EventStorage } from '../../src/storage.js';
import { assertName, nameProblem } from '../../src/core/validation.js';
import type { BenchStore, Scratch } from '../adapter.js';
import { benchStoreOf } from '../stores/eventline.js';
import { peersInstalled } from '../install-peers.js';
import { median } from '../stats.js';
import { makeScratch } from '../scratch.js';
import { openTarget } from '../targets.js';
import { w2, w3 } from '../workloads/appends.js';
import { sizesFor } from '../workloads/sizes.js';
import { roundsArgument } from './rounds.js';

const WORKLOADS = { W2: w2, W3: w3 };
const STORES = ['harness', 'least-text', 'least-copy', 'checked-copy', 'fused-copy', 'facade', 'memory', 'emmett-memory'] as const;
type Store = (typeof STORES)[number];

/**
 * A copy of a JSON value, or undefined when JSON cannot carry it faithfully. Only what
 * the bench's events need: no -0, `__proto__` keys or cycles, which copyJson and the
 * full walk handle.
 */
function checkedCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
          const item = i in value ? checkedCopy(value[i]) : undefined;
          if (item === undefined) return undefined;
          items.push(item);
        }
        return items;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return undefined;
      const copy: Record<string, unknown> = {};
      for (const key in value) {
        const field = (value as Record<string, unknown>)[key];
        // Strings, most fields, without a call.
        const item = typeof field === 'string' ? field : checkedCopy(field);
        if (item === undefined) return undefined;
        copy[key] = item;
      }
      return copy;
    }
    default:
      return undefined;
  }
}

/** A stand-in with only an append: the workloads measured here call nothing else. */
function standIn(keep: 'nothing' | 'text' | 'copy' | 'fused', checked = false): BenchStore {
  const streams = new Map<string, object[]>();
  const log: object[] = [];
  const copy = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map(copy);
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = copy((value as Record<string, unknown>)[key]);
    return out;
  };
  const unused = () => Promise.reject(new Error('not measured by this probe'));
  // The harness keeps only each stream's version, which the workloads need back.
  const versions = new Map<string, number>();
  return {
    async append(streamId, events, expected) {
      if (keep === 'nothing') {
        const version = (versions.get(streamId) ?? 0) + events.length;
        versions.set(streamId, version);
        return { ok: true, nextVersion: version };
      }
      if (keep === 'fused') {
        if (nameProblem(streamId) !== undefined) throw new Error('bad stream id');
        const stream = streams.get(streamId);
        const version = stream === undefined ? 0 : stream.length;
        if (version !== expected) return { ok: false, actual: version };
        const kept: object[] = [];
        const recordedAt = Date.now();
        for (let i = 0; i < events.length; i++) {
          const { type, data } = events[i]!;
          if (nameProblem(type) !== undefined) throw new Error('bad type');
          const copy = checkedCopy(data);
          if (copy === undefined) throw new Error('not JSON');
          kept.push({ streamId, version: version + i + 1, position: log.length + i + 1, type, data: copy, recordedAt });
        }
        if (stream === undefined) streams.set(streamId, kept);
        else for (const k of kept) stream.push(k);
        for (const k of kept) log.push(k);
        return { ok: true, nextVersion: version + events.length };
      }
      let stream = streams.get(streamId);
      if (!stream) streams.set(streamId, (stream = []));
      if (checked) {
        assertName(streamId, 'streamId');
        for (const { type, data } of events) {
          assertName(type, 'type');
          assertJsonFaithful(data, 'data');
        }
      }
      if (stream.length !== expected) return { ok: false, actual: stream.length };
      const recordedAt = new Date();
      for (const { type, data } of events) {
        const kept = { streamId, version: stream.length + 1, position: log.length + 1, type, data: keep === 'text' ? JSON.stringify(data) : copy(data), recordedAt };
        stream.push(kept);
        log.push(kept);
      }
      return { ok: true, nextVersion: stream.length };
    },
    readStream: unused,
    versionedStream: unused,
    currentVersion: unused,
    close: async () => {},
  };
}

/** The EventStore over a storage that keeps only each stream's version, as the bench drives Eventline's stores. */
function facade(): BenchStore {
  const versions = new Map<string, number>();
  const unused = () => Promise.reject(new Error('not measured by this probe'));
  const storage = {
    kind: 'counter',
    defaultCodec: copyCodec,
    append(streamId, events) {
      const version = (versions.get(streamId) ?? 0) + events.length;
      versions.set(streamId, version);
      return { nextExpectedVersion: version, lastPosition: version };
    },
    readStream: unused,
    readStreamPayloads: unused,
    readAllBatch: unused,
    listStreams: unused,
    headPosition: unused,
    stats: unused,
    snapshots: {} as EventStorage<unknown>['snapshots'],
    close: async () => {},
  } satisfies EventStorage<unknown>;
  return benchStoreOf(createEventStore(storage));
}

async function open(store: Store, scratch: Scratch): Promise<BenchStore> {
  if (store === 'harness') return standIn('nothing');
  if (store === 'least-text') return standIn('text');
  if (store === 'least-copy') return standIn('copy');
  if (store === 'checked-copy') return standIn('copy', true);
  if (store === 'fused-copy') return standIn('fused');
  if (store === 'facade') return facade();
  return openTarget(store, scratch);
}

function usage(problem: string): never {
  console.error(`probe: ${problem}; usage: npx tsx bench/probes/memory-bound.ts [rounds] [${Object.keys(WORKLOADS).join('|')}] [${STORES.join(',')}]`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [, store, workload] = args;
  // Memory stores only: the scratch names no file or schema that is ever made.
  const scratch = makeScratch('memory_bound');
  const context = { store: await open(store as Store, scratch), sizes: sizesFor(1), target: store!, scratch, seeded: false };
  const { value } = await WORKLOADS[workload as keyof typeof WORKLOADS].run(context);
  console.log(value);
  process.exit(0);
} else {
  const [roundsGiven, onlyWorkload, onlyStores] = args;
  const rounds = roundsArgument(roundsGiven, 7);
  if (onlyWorkload !== undefined && !(onlyWorkload in WORKLOADS)) usage(`unknown workload ${onlyWorkload}`);
  const named = onlyStores?.split(',') ?? STORES;
  for (const s of named) if (!STORES.includes(s as Store)) usage(`unknown store ${s}`);
  const withEmmett = peersInstalled();
  if (!withEmmett) console.log("Emmett's in-memory store is not measured: the peers are not installed (npm run bench -- --vs emmett installs them).");
  const stores = STORES.filter((s) => named.includes(s) && (withEmmett || s !== 'emmett-memory'));
  const workloads = Object.keys(WORKLOADS).filter((w) => onlyWorkload === undefined || w === onlyWorkload);
  const self = fileURLToPath(import.meta.url);
  const results = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const w of workloads) {
      for (const s of stores) {
        const out = execFileSync(process.execPath, [...process.execArgv, self, '--child', s, w], { encoding: 'utf8' });
        const key = `${w} ${s}`;
        results.set(key, [...(results.get(key) ?? []), Number(out.trim())]);
      }
    }
  }
  console.log(`events/s, median (min-max) of ${rounds} fresh processes each${withEmmett ? "; the last column is the median over Emmett's" : ''}`);
  const k = (n: number) => `${Math.round(n / 1000)}k`;
  for (const w of workloads) {
    const emmett = withEmmett && stores.includes('emmett-memory') ? median(results.get(`${w} emmett-memory`)!) : undefined;
    for (const s of stores) {
      const values = results.get(`${w} ${s}`)!;
      const ratio = emmett === undefined ? '' : `${(median(values) / emmett).toFixed(2)}x`.padStart(7);
      console.log(`${w} ${s.padEnd(14)} ${k(median(values)).padStart(6)}  (${k(Math.min(...values))}-${k(Math.max(...values))})  ${ratio}`.trimEnd());
    }
  }
}
