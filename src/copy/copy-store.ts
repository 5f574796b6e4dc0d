// copyStore: every event of one store into another (SQLite into PostgreSQL, say), in the
// source's order, a batch per transaction, each event exactly as stored (id, version,
// time, data and metadata: sealed personal fields stay sealed) at the target's own
// positions; then every read-model table, checkpoints translated, so the target's
// consumers go on without a rebuild; then a verification of both sides. A copy killed
// at any moment is run again and continues from the target's position map.

import { CopyRefusedError, ValidationError } from '../core/errors.js';
import { assertCount } from '../core/validation.js';
import type { EventStore } from '../store/event-store.js';
import type { CopiedEvent, StoredEvent } from '../store/storage.js';
import { bodyConverter } from './bodies.js';
import type { TranslatedCheckpoint } from './checkpoints.js';
import { assertContinuable, positionMapOf, rangesOf, readPositionMap, recordRanges, tablesOf, type PositionMap, type PositionRange } from './position-map.js';
import { readReadModels, writeReadModels } from './read-model-tables.js';
import { assertVerified, verifyCopy, type CopyVerification } from './verify.js';

export type CopyPhase = 'events' | 'verify';

export interface CopyProgress {
  phase: CopyPhase;
  /** Events copied (or hashed) so far, those of an earlier run included, and how many there are. */
  done: number;
  total: number;
}

export interface CopyOptions {
  /** Events per transaction. Default 1000. */
  batchSize?: number;
  /** Whether to verify both sides at the end (a CopyMismatchError when they differ). Default true. */
  verify?: boolean;
  onProgress?: (progress: CopyProgress) => void;
}

export interface CopyReport {
  /** Events this run wrote. */
  copied: number;
  /** Events an earlier run had copied already. */
  resumed: number;
  /** The last source position copied, and where it went in the target. */
  sourcePosition: number;
  targetPosition: number;
  readModels: { tables: number; rows: number };
  checkpoints: TranslatedCheckpoint[];
  /** Seconds the events took (the read models and the verification not included). */
  seconds: number;
  verification: CopyVerification | undefined;
}

const DEFAULT_BATCH = 1000;

/**
 * @example
 * const from = await openEventStore('sqlite:./data/blog.db', { create: false });
 * const to = await openEventStore('postgres://app@db/blog');
 * const report = await copyStore(from, to);
 * console.log(`${report.copied} events, ${report.checkpoints.length} checkpoints translated`);
 */
export async function copyStore(from: EventStore, to: EventStore, options: CopyOptions = {}): Promise<CopyReport> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  assertCount(batchSize, 'batchSize', 1);
  const verify = options.verify ?? true;
  if (typeof verify !== 'boolean') throw new ValidationError('verify', 'must be a boolean');
  if (from === to) throw new CopyRefusedError('same-store', 'the source and the target are the same store');

  // The target's maintenance lock keeps a prune, restore or backup off it while it fills.
  return to.maintenance.withLock('copy', () => copyHoldingTarget(from, to, batchSize, verify, options));
}

async function copyHoldingTarget(from: EventStore, to: EventStore, batchSize: number, verify: boolean, options: CopyOptions): Promise<CopyReport> {
  const before = await readPositionMap(to);
  await assertContinuable(to, before, (position) => idAt(from, position), (position) => idAt(to, position));
  // A new epoch for the store the copy makes: a consumer that read the target before
  // counted another log. The checkpoints the copy brings are stamped with it.
  const epoch = before.events === 0 ? await to.maintenance.renewEpoch() : await to.epoch();
  const total = (await from.stats()).events;
  const started = performance.now();
  let map = await copyEvents(from, to, before, batchSize, (done) => options.onProgress?.({ phase: 'events', done, total: Math.max(total, done) }));
  const seconds = (performance.now() - started) / 1000;

  // The rows and checkpoints of one moment; then the events up to it, so that every
  // checkpoint names a copied event.
  const snapshot = await readReadModels(from);
  map = await copyEvents(from, to, map, batchSize, () => {});
  const written = snapshot === undefined ? { tables: 0, rows: 0, checkpoints: [] } : await writeReadModels(to, snapshot, map.translate, epoch);

  let verification: CopyVerification | undefined;
  if (verify) {
    verification = await verifyCopy(from, to, { batchSize, onProgress: ({ done, total }) => options.onProgress?.({ phase: 'verify', done, total }) });
    assertVerified(verification);
  }
  return {
    copied: map.events - before.events,
    resumed: before.events,
    sourcePosition: map.sourceEnd,
    targetPosition: map.targetEnd,
    readModels: { tables: written.tables, rows: written.rows },
    checkpoints: written.checkpoints,
    seconds,
    verification,
  };
}

/** The id of the store's event at `position`, or undefined when there is none (pruned). */
async function idAt(store: EventStore, position: number): Promise<string | undefined> {
  const [event] = await store.retention.readStoredAll(position - 1, 1, position + 1);
  return event?.eventId;
}

/** Copies the events after the map's end, batch by batch; resolves to the map as it then is. */
async function copyEvents(from: EventStore, to: EventStore, start: PositionMap, batchSize: number, onCopied: (done: number) => void): Promise<PositionMap> {
  const convert = bodyConverter(from, to);
  const tables = tablesOf(to);
  const ranges = [...start.ranges];
  let after = start.sourceEnd;
  let done = start.events;
  let created = false;
  // The next batch is read while the one before is written.
  let reading = from.retention.readStoredAll(after, batchSize);
  for (;;) {
    const batch = await reading;
    if (batch.length === 0) break;
    after = batch.at(-1)!.position;
    reading = from.retention.readStoredAll(after, batchSize);
    // Read ahead: a failed write must not leave its rejection unhandled.
    reading.catch(() => {});
    let added: PositionRange[] = [];
    await to.retention.writeCopied(
      batch.map((e) => copiedEvent(e, convert)),
      async ({ positions }, readModels) => {
        added = rangesOf(
          batch.map((e) => e.position),
          positions,
          batch.map((e) => e.eventId),
        );
        await recordRanges(readModels(tables), added, !created);
      },
    );
    created = true;
    ranges.push(...added);
    onCopied((done += batch.length));
  }
  return positionMapOf(ranges);
}

function copiedEvent(e: StoredEvent<unknown>, convert: (body: unknown) => unknown): CopiedEvent<unknown> {
  return { eventId: e.eventId, streamId: e.streamId, version: e.version, type: e.type, data: convert(e.data), metadata: convert(e.metadata), recordedAt: e.recordedAt };
}
