// The prune run: plan, guard, compact, archive, then delete, as one logical step.
//   1. plan (nothing written) and refuse a run that would strand a consumer, unless forced;
//   2. append the StreamCompacted events the plan calls for;
//   3. write the archive and its manifest, each synced (archive.ts);
//   4. in one transaction, delete the ranges and append RetentionRun to `$retention`.
// A crash before 4 leaves every event in the store; after 4, the archive holds them. A
// later run first finishes what an earlier one left half done (resumePrunes).

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConcurrencyError, PruneRefusedError, ValidationError } from '../core/errors.js';
import { isProcessAlive } from '../core/process-alive.js';
import { RETENTION_STREAM, STREAMS_REMOVED, type StreamsRemoved } from '../core/retention-names.js';
import type { EventStore } from '../store/event-store.js';
import { observePrune } from '../telemetry/index.js';
import type { PruneRange, SpaceReport, StoredEvent } from '../store/storage.js';
import { archivedHash, archiveFiles, readManifest, verifyArchive, writeArchive, type ArchivedRange, type ArchiveFiles, type ArchiveManifest } from './archive.js';
import { STREAM_COMPACTED } from './compaction.js';
import { registeredConsumers, strandedBy, type Consumer } from './consumers.js';
import { planPrune, type PlannedStream, type PrunePlan } from './plan.js';
import { RETENTION_RUN, RETENTION_SPACE, type RetentionSpaceData } from './runs.js';
import { checkPolicies, type RetentionPolicy } from './policy.js';

export { RETENTION_RUN, RETENTION_SPACE, RETENTION_STREAM };

/** At most this many ranges are listed in a RetentionRun event; its manifest always lists them all. */
const RANGES_IN_EVENT = 1000;
/** Streams named per StreamsRemoved event. */
const STREAMS_IN_EVENT = 1000;
const PAGE = 1000;

export type PrunePhase = 'plan' | 'compact' | 'archive' | 'delete';

export interface PruneProgress {
  phase: PrunePhase;
  /** Streams compacted, or events archived, so far (0 while planning and deleting). */
  done: number;
  total: number;
}

export interface PruneOptions {
  policies: readonly RetentionPolicy[];
  /** The folder archives go to (made when missing). */
  archiveDir: string;
  /** Prune even past the checkpoints of consumers that have not processed the events: they are named in the report. */
  force?: boolean;
  /** Plan and report only: nothing is written, not even a half-done run is finished. */
  dryRun?: boolean;
  /** The time the policies are judged at. Default: now. */
  now?: Date;
  onProgress?: (progress: PruneProgress) => void;
  /** Give the space back after the deletion (store.retention.reclaimSpace, without a full rewrite). Default true. */
  reclaimSpace?: boolean;
}

/** The RetentionRun event's data. */
export interface RetentionRunData {
  run: string;
  policy: string[];
  streams: number;
  events: number;
  /** Every range when there are at most 1000; else the manifest lists them. */
  ranges: ArchivedRange[] | 'in-manifest';
  archive: string;
  sha256: string;
  /** The store's bytes (stats) before the run. */
  bytesBefore: number;
  /** bytesBefore less the removed events' stored bytes: what the store holds once a vacuum gives the space back. */
  bytesAfter: number;
  /** Consumers that had not processed the removed events, pruned past with `force`. */
  forced: string[];
  /** Whether this run finished one that an earlier run left half done. */
  resumed: boolean;
}

export interface PruneReport {
  /** The run's id; undefined for a dry run or when there was nothing to prune. */
  run: string | undefined;
  dryRun: boolean;
  plan: PrunePlan;
  /**
   * Streams that changed while the run went on: left out when it compacted them; when a
   * closed stream it removes whole got an event, the run is undone (archive removed,
   * nothing deleted) and that stream is named here.
   */
  changed: string[];
  removed: number;
  archive?: { file: string; manifest: string; sha256: string };
  bytesBefore: number;
  bytesAfter: number;
  /** Half-done runs this one finished first. */
  resumed: ResumeReport;
  /** What giving the space back did, when the run deleted anything and was asked to. */
  space?: SpaceReport;
}

/**
 * Prunes `store` under `policies`, archiving what it removes in `archiveDir`.
 * Throws RetentionPolicyError for a bad policy, PruneRefusedError when a consumer
 * would be stranded (unless `force`) or a prefix cannot be compacted, and
 * MaintenanceBusyError while a backup, an archive restore or another prune holds the
 * store; nothing is written then.
 */
export async function pruneStore(store: EventStore, options: PruneOptions): Promise<PruneReport> {
  const { archiveDir, dryRun = false } = options;
  if (typeof archiveDir !== 'string' || archiveDir === '') throw new ValidationError('archiveDir', 'must name a folder');
  checkPolicies(options.policies);
  return observePrune(store.kind, dryRun, async () => {
    if (dryRun) return pruneHoldingFolder(store, options);
    await mkdir(archiveDir, { recursive: true });
    // The store's lock keeps backups and archive restores out; the folder's, other stores' prunes.
    return store.maintenance.withLock('prune', () => holdingFolder(archiveDir, () => pruneHoldingFolder(store, options)));
  });
}

/** The run, with the archive folder to itself (none for a dry run, which writes nothing). */
async function pruneHoldingFolder(store: EventStore, options: PruneOptions): Promise<PruneReport> {
  const { archiveDir, force = false, dryRun = false, onProgress = () => {} } = options;
  // What an earlier run left half done is finished first, so this run plans on the
  // store as that run left it. A dry run changes nothing, that included.
  const resumed = dryRun ? { finished: [], discarded: [], skipped: [] } : await resumeHoldingFolder(store, archiveDir, force);
  onProgress({ phase: 'plan', done: 0, total: 0 });
  const plan = await planPrune(store, options.policies, options.now === undefined ? {} : { now: options.now });
  // A dry run reports the consumers it would strand; a run refuses them.
  if (plan.stranded.length > 0 && !force && !dryRun) throw strandedError(plan.stranded);
  const report = (fields: Partial<PruneReport> = {}): PruneReport => ({
    run: undefined, dryRun, plan, changed: [], removed: 0, bytesBefore: 0, bytesAfter: 0, resumed, ...fields,
  });
  if (dryRun || plan.streams.length === 0) return report();

  const run = newRunId(plan.now);
  const changed = await compact(store, plan.streams, onProgress);
  const streams = plan.streams.filter((s) => !changed.includes(s.streamId));
  if (streams.length === 0) return report({ changed });
  // A closed stream goes whole only at the version it was planned at.
  const ranges = streams.map(({ streamId, fromVersion, upToVersion, action, version }) => ({
    streamId,
    fromVersion,
    upToVersion,
    ...(action === 'remove' ? { version } : {}),
  }));
  const total = streams.reduce((n, s) => n + s.events, 0);
  let archived = 0;
  const manifest = await writeArchive(
    archiveDir,
    { run, store: store.kind, policies: [...new Set(streams.map((s) => s.policy))], ranges },
    tap(storedEventsOf(store, ranges), () => onProgress({ phase: 'archive', done: ++archived, total })),
  );
  onProgress({ phase: 'delete', done: 0, total });
  const bytesBefore = (await store.stats()).bytes;
  const removedBytes = streams.reduce((n, s) => n + s.bytes, 0);
  const forced = strandedBy(plan.consumers, Math.max(...streams.map((s) => s.lastPosition))).map(consumerName);
  const files = archiveFiles(archiveDir, run);
  const result = await deleteArchived(store, manifest, { bytesBefore, bytesAfter: Math.max(bytesBefore - removedBytes, 0), forced, resumed: false });
  if ('changed' in result) {
    await discard(files);
    return report({ changed: [...changed, result.changed] });
  }
  const space = options.reclaimSpace === false ? undefined : await store.retention.reclaimSpace();
  const bytesAfter = (await store.stats()).bytes;
  // Measured once the space is given back, for `eventline stats` (RetentionRun holds the estimate).
  const measured: RetentionSpaceData = { run, bytesBefore, bytesAfter, done: space?.done ?? 'none' };
  await store.appendToStream(RETENTION_STREAM, [{ type: RETENTION_SPACE, data: { ...measured } }]);
  return report({
    run,
    changed,
    removed: result.removed,
    archive: { file: files.archive, manifest: files.manifest, sha256: manifest.sha256 },
    bytesBefore,
    bytesAfter,
    ...(space === undefined ? {} : { space }),
  });
}

/** Appends each planned StreamCompacted event; returns the streams that changed meanwhile (left out of the run). */
async function compact(store: EventStore, streams: readonly PlannedStream[], onProgress: (p: PruneProgress) => void): Promise<string[]> {
  const changed: string[] = [];
  const compacting = streams.filter((s) => s.compaction !== undefined);
  let done = 0;
  for (const { streamId, version, compaction } of compacting) {
    try {
      await store.appendToStream(streamId, [{ type: STREAM_COMPACTED, data: compaction }], { expectedVersion: version });
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      changed.push(streamId);
    }
    onProgress({ phase: 'compact', done: ++done, total: compacting.length });
  }
  return changed;
}

/**
 * Deletes the ranges of an archive that is on disk and appends its RetentionRun, in one
 * transaction. First the snapshots that reflect no more than a pruned prefix go: they
 * would keep what the prune removes (a snapshot is a cache: losing one to a crash right
 * after costs a fold, nothing more).
 */
async function deleteArchived(store: EventStore, manifest: ArchiveManifest, fields: Pick<RetentionRunData, 'bytesBefore' | 'bytesAfter' | 'forced' | 'resumed'>) {
  const ranges: PruneRange[] = manifest.ranges.map(({ streamId, upToVersion, version }) => ({ streamId, upToVersion, ...(version === undefined ? {} : { version }) }));
  for (const { streamId, upToVersion } of ranges) {
    for await (const snapshot of store.snapshots.list({ streamPrefix: streamId })) {
      if (snapshot.streamId === streamId && snapshot.version <= upToVersion) await store.snapshots.delete(streamId);
      if (snapshot.streamId !== streamId) break;
    }
  }
  const data: RetentionRunData = {
    run: manifest.run,
    policy: manifest.policies,
    streams: manifest.ranges.length,
    events: manifest.events,
    ranges: manifest.ranges.length <= RANGES_IN_EVENT ? manifest.ranges : 'in-manifest',
    archive: manifest.file,
    sha256: manifest.sha256,
    ...fields,
  };
  const removedWhole = manifest.ranges.filter((r) => r.version !== undefined).map((r) => r.streamId);
  const removals = chunks(removedWhole, STREAMS_IN_EVENT).map((streams) => ({ type: STREAMS_REMOVED, data: { run: manifest.run, streams } satisfies StreamsRemoved }));
  try {
    return await store.retention.prune(ranges, { streamId: RETENTION_STREAM, events: [{ type: RETENTION_RUN, data }, ...removals] });
  } catch (error) {
    // A closed stream got an event since it was planned: this run is undone (below).
    if (error instanceof ConcurrencyError) return { changed: error.streamId };
    throw error;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Removes a run's archive and manifest: the run deleted nothing, and never will. */
async function discard(files: ArchiveFiles): Promise<void> {
  await rm(files.manifest, { force: true });
  await rm(files.archive, { force: true });
}

/** The events of `ranges`, as stored, range after range. */
async function* storedEventsOf(store: EventStore, ranges: readonly ArchivedRange[]): AsyncGenerator<StoredEvent<unknown>> {
  for (const { streamId, fromVersion, upToVersion } of ranges) {
    for (let from = fromVersion; from <= upToVersion; ) {
      const page = await store.retention.readStored(streamId, from, Math.min(PAGE, upToVersion - from + 1));
      yield* page;
      if (page.length === 0) break;
      from = page.at(-1)!.version + 1;
    }
  }
}

async function* tap<T>(items: AsyncIterable<T>, each: () => void): AsyncGenerator<T> {
  for await (const item of items) {
    yield item;
    each();
  }
}

export interface ResumeReport {
  /** Runs whose archive was complete and whose deletion this finished. */
  finished: string[];
  /**
   * Files of runs that stopped before their archive was complete, or whose closed stream
   * got an event since (the run is undone), removed: their events are all still in the store.
   */
  discarded: string[];
  /**
   * Runs with a complete archive and no RetentionRun here whose events this store does not
   * hold as archived (another store's archives in the same folder): left alone.
   */
  skipped: string[];
}

/**
 * Finishes what earlier runs left half done in `archiveDir`. A run whose manifest is
 * there wrote its archive completely and synced it: if `$retention` holds no RetentionRun
 * for it, its deletion is done now (after its archive verifies, and the consumer guard
 * passes again unless `force`), provided the store still holds exactly the archived
 * events in its ranges (else it is another store's, and is left alone). Files of a run
 * that stopped before its manifest was
 * written (`.partial` files, an archive without a manifest) are removed: that run
 * deleted nothing.
 */
export async function resumePrunes(store: EventStore, archiveDir: string, { force = false }: { force?: boolean } = {}): Promise<ResumeReport> {
  if (!existsSync(archiveDir)) return { finished: [], discarded: [], skipped: [] };
  return store.maintenance.withLock('prune', () => holdingFolder(archiveDir, () => resumeHoldingFolder(store, archiveDir, force)));
}

async function resumeHoldingFolder(store: EventStore, archiveDir: string, force: boolean): Promise<ResumeReport> {
  const names = await readdir(archiveDir);
  const report: ResumeReport = { finished: [], discarded: [], skipped: [] };
  const manifests = names.filter((n) => /^archive-.+\.manifest\.json$/.test(n));
  const withManifest = new Set(manifests.map((n) => n.replace(/\.manifest\.json$/, '.jsonl.gz')));
  for (const name of names) {
    const half = name.endsWith('.partial') || (/^archive-.+\.jsonl\.gz$/.test(name) && !withManifest.has(name));
    if (half && name.startsWith('archive-')) {
      await rm(join(archiveDir, name), { force: true });
      report.discarded.push(name);
    }
  }
  if (manifests.length === 0) return report;
  const recorded = await recordedRuns(store);
  for (const name of manifests.sort()) {
    const manifest = await readManifest(join(archiveDir, name));
    if (recorded.has(manifest.run)) continue;
    await verifyArchive(join(archiveDir, manifest.file));
    if (!(await stillStored(store, manifest))) {
      report.skipped.push(manifest.run);
      continue;
    }
    const lastPosition = manifest.hashes.reduce((most, [position]) => Math.max(most, position), 0);
    const stranded = strandedBy(await registeredConsumers(store), lastPosition);
    if (stranded.length > 0 && !force) throw strandedError(stranded);
    const bytes = (await store.stats()).bytes;
    const result = await deleteArchived(store, manifest, { bytesBefore: bytes, bytesAfter: bytes, forced: stranded.map(consumerName), resumed: true });
    if ('changed' in result) {
      await discard(archiveFiles(archiveDir, manifest.run));
      report.discarded.push(name);
    } else {
      report.finished.push(manifest.run);
    }
  }
  return report;
}

/**
 * Whether the store holds, in the manifest's ranges, exactly the events the archive holds:
 * a manifest of another store (in a folder shared by mistake) must never delete this
 * one's events.
 */
async function stillStored(store: EventStore, manifest: ArchiveManifest): Promise<boolean> {
  const hashes = new Map(manifest.hashes);
  let found = 0;
  for await (const event of storedEventsOf(store, manifest.ranges)) {
    if (hashes.get(event.position) !== archivedHash(event)) return false;
    found++;
  }
  return found === manifest.events;
}

/** The runs `$retention` records. */
async function recordedRuns(store: EventStore): Promise<Set<string>> {
  const runs = new Set<string>();
  for (const event of await store.readStream(RETENTION_STREAM)) {
    if (event.type === RETENTION_RUN) runs.add((event.data as RetentionRunData).run);
  }
  return runs;
}

function strandedError(stranded: readonly Consumer[]): PruneRefusedError {
  const where = stranded.map((c) => `${consumerName(c)} at ${c.position}`).join(', ');
  return new PruneRefusedError('stranded-consumers', stranded.map(consumerName), [], `it would remove events these consumers have not processed: ${where} (force to prune anyway)`);
}

const consumerName = (c: Consumer) => `${c.kind} ${c.name}`;

/** A run's id: its time, to the millisecond, and 6 random hex digits. */
function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

const LOCK = 'prune.lock';

/**
 * Runs `work` holding the archive folder: one run (or resume) at a time may write
 * archives there and finish or discard what others left. The lock file holds the
 * holder's pid; a lock whose process is gone (killed mid-run) is taken over.
 */
async function holdingFolder<T>(folder: string, work: () => Promise<T>): Promise<T> {
  const lock = join(folder, LOCK);
  try {
    await writeFile(lock, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
    if (isProcessAlive(holder)) {
      throw new PruneRefusedError('busy', [], [], `another prune (process ${holder}) is using the archive folder`);
    }
    await writeFile(lock, String(process.pid));
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}
