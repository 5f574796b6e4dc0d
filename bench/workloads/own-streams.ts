// W8: N writers side by side, each appending single events to a stream of its own with
// the exact expected version it knows (0 first, then the version the store answered),
// in one process (1, 4, 16, 32 writers) and as 4 OS processes × 8 writers. No append
// conflicts, so W8 measures how a store's appends scale with concurrent writers; W7
// measures how it settles a race. Checked afterwards (untimed): each stream holds its
// writer's events once at versions 1..n, and reading all events gives each once in
// strictly increasing position (checkOwnStreams).

import type { BenchStore } from './adapter.js';
import { postEvent, type PostData } from './events.js';
import { findTarget } from '../running/stores.js';
import { startTogether } from './processes.js';
import { mustAppend, percentile, perSecond, timed, type Measurement, type Workload } from './workload.js';
import type { WriterInput } from './writer.js';

/** Writer w's stream. */
const streamOf = (writer: number) => `post-w8-${writer}`;

/** Every store's pool in each process: ours by its URL's default (`pool`), the floors' `max`, and node-postgres's default, which Emmett's dumbo keeps. */
const POOL_NOTE =
  "every store has a pool of 10 connections per process (ours: the URL's `pool`, default 10; the floors: `max: 10`; Emmett: its default, node-postgres's 10), so W8-16 and W8-32 queue writers for connections and W8-4x8 has 40 in all";

/** Appends `appends` events as writer `writer`, one at a time; resolves to each append's ms. */
async function appendOwnStream(store: BenchStore, writer: number, appends: number, stopped: () => boolean): Promise<number[]> {
  const streamId = streamOf(writer);
  const latencies: number[] = [];
  let known = 0;
  for (let seq = 0; seq < appends && !stopped(); seq++) {
    const started = performance.now();
    const outcome = await store.append(streamId, [postEvent(streamId, known + 1, { writer, seq })], known);
    latencies.push(performance.now() - started);
    mustAppend(outcome, streamId);
    if (outcome.ok && outcome.nextVersion !== known + 1) throw new Error(`an append to ${streamId} at version ${known} answered version ${outcome.nextVersion}`);
    known += 1;
  }
  return latencies;
}

/** Writers `first` .. `first + writers - 1` side by side; resolves to every append's ms. One writer's failure stops the others. */
export async function appendOwnStreams(store: BenchStore, first: number, writers: number, appends: number): Promise<number[]> {
  let failure: unknown;
  const each = await Promise.allSettled(
    Array.from({ length: writers }, (_, i) =>
      appendOwnStream(store, first + i, appends, () => failure !== undefined).catch((error: unknown) => {
        failure ??= error;
        throw error;
      }),
    ),
  );
  if (failure !== undefined) throw failure;
  return each.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
}

interface Check {
  lost: number;
  duplicated: number;
  problem?: string;
  /** Emmett: what its batch reader got wrong, reported rather than failed (see checkReadAll). */
  readAll?: Record<string, number>;
}

/**
 * Each writer's stream holds its events once, at versions 1..appends; reading all gives
 * every event once, in strictly increasing position. Emmett's batch reader orders by
 * transaction id, then position, and pages by position: what it gets wrong is reported
 * beside its append figure instead of failing it.
 */
async function checkOwnStreams(store: BenchStore, target: string, writers: number, appends: number): Promise<Check> {
  let lost = 0;
  let duplicated = 0;
  const problems: string[] = [];
  for (let writer = 0; writer < writers; writer++) {
    const events = await store.versionedStream(streamOf(writer));
    const seqs = new Set<number>();
    let misplaced = 0;
    events.forEach((event, i) => {
      const data = event.data as PostData;
      if (event.version !== i + 1 || data.writer !== writer || data.seq !== i) misplaced++;
      if (data.writer === writer && data.seq !== undefined && data.seq < appends) seqs.add(data.seq);
    });
    lost += appends - seqs.size;
    duplicated += Math.max(0, events.length - seqs.size);
    if (misplaced > 0) problems.push(`${streamOf(writer)}: ${misplaced} of ${events.length} events not at their version`);
  }
  const check: Check = { lost, duplicated };
  const all = await checkReadAll(store, writers * appends);
  if (all && findTarget(target).family === 'emmett') {
    check.readAll = { readAllOutOfOrder: all.disordered, readAllMissing: all.missing, readAllRepeated: all.repeated };
  } else if (all) {
    problems.push(`readAll: ${all.disordered} of ${all.count} events out of position order, ${all.missing} missing, ${all.repeated} repeated`);
  }
  if (problems.length > 0) check.problem = problems.slice(0, 3).join('; ');
  return check;
}

/** What reading all events got wrong, if anything: events out of position order, missing, or given twice. */
async function checkReadAll(store: BenchStore, total: number) {
  if (!store.readAll) return undefined;
  const seen = new Set<string>();
  let count = 0;
  let last = -Infinity;
  let disordered = 0;
  await store.readAll((event) => {
    // Ours and the floors say `position`; Emmett's messages carry `metadata.globalPosition`.
    const e = event as { data: PostData; position?: number; metadata?: { globalPosition?: bigint } };
    const position = Number(e.position ?? e.metadata?.globalPosition);
    if (!(position > last)) disordered++;
    last = position;
    seen.add(`${e.data.writer}:${e.data.seq}`);
    count++;
  });
  const wrong = { count, disordered, missing: total - seen.size, repeated: count - seen.size };
  return disordered > 0 || wrong.missing > 0 || wrong.repeated > 0 ? wrong : undefined;
}

/** The figure: events/s and the appends' p99, when every writer finished and every event is there once. */
function summarise(ms: number, total: number, latencies: number[], check: Check, failure?: unknown): Measurement {
  const counts = { lost: check.lost, duplicated: check.duplicated };
  if (failure !== undefined) return { ...counts, failed: `${(failure as Error).message} (stored ${total - check.lost} of ${total} events)` };
  if (check.problem) return { ...counts, failed: check.problem };
  latencies.sort((a, b) => a - b);
  const p50Ms = Number(percentile(latencies, 50).toFixed(2));
  return { ...counts, value: perSecond(total, ms), p99Ms: percentile(latencies, 99), details: { p50Ms, ...check.readAll } };
}

function inOneProcess(writers: number): Workload {
  return {
    id: `W8-${writers}`,
    group: 'W8',
    label: `W8 ${writers} writer${writers === 1 ? '' : 's'} in one process, a stream each`,
    unit: 'events/s',
    kinds: ['postgres'],
    note: POOL_NOTE,
    async run({ store, sizes, target }) {
      const appends = sizes.w8Appends[writers]!;
      let latencies: number[] = [];
      let failure: unknown;
      const ms = await timed(async () => {
        latencies = await appendOwnStreams(store, 0, writers, appends).catch((error: unknown) => ((failure = error), []));
      });
      return summarise(ms, writers * appends, latencies, await checkOwnStreams(store, target, writers, appends), failure);
    },
  };
}

const acrossProcesses: Workload = {
  id: 'W8-4x8',
  group: 'W8',
  label: 'W8 4 processes × 8 writers, a stream each',
  unit: 'events/s',
  kinds: ['postgres'],
  note: POOL_NOTE,
  async run({ store, sizes, target, scratch }) {
    const { w8Processes: processes, w8ProcessWriters: each } = sizes;
    const writers = processes * each;
    const appends = sizes.w8Appends[writers]!;
    const inputs = Array.from({ length: processes }, (_, p): WriterInput => ({
      target,
      scratch,
      job: { kind: 'own-streams', firstWriter: p * each, writers: each, appends },
    }));
    const { ms, settled, spawnedRssMB } = await startTogether(inputs);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const latencies = settled.flatMap((r) => (r.status === 'fulfilled' ? (r.value.latenciesMs ?? []) : []));
    const check = await checkOwnStreams(store, target, writers, appends);
    return { ...summarise(ms, writers * appends, latencies, check, failed?.reason), spawnedRssMB };
  },
};

export const w8: readonly Workload[] = [...[1, 4, 16, 32].map(inOneProcess), acrossProcesses];
