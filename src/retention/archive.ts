// Archives: the events a prune removes, exactly as stored (personal fields still sealed),
// one JSON line each in `archive-<run>.jsonl.gz`, and beside it a manifest
// (`archive-<run>.manifest.json`) with each event's position and SHA-256 and the file's
// SHA-256. Both are written to a `.partial` name, synced, then renamed, the manifest last:
// an archive whose manifest is there is complete and on disk.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { ArchiveInvalidError } from '../core/errors.js';
import type { StoredEvent } from '../store/storage.js';

export const ARCHIVE_FORMAT = 'eventline-archive/1';

/** Archives hold events as stored: readable by their owner only. */
const PRIVATE = 0o600;
const CHUNK = 256 * 1024;

/** A stream's removed versions, as the manifest and the RetentionRun event name them. */
export interface ArchivedRange {
  streamId: string;
  fromVersion: number;
  upToVersion: number;
  /** For a closed stream removed whole: the version it must still be at. */
  version?: number;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  run: string;
  /** The kind of store the events came from: their bodies are what its codec stored. */
  store: string;
  /** The archive's file name, in the manifest's folder. */
  file: string;
  /** SHA-256 of the archive file, hex. */
  sha256: string;
  /** The archive file's size. */
  bytes: number;
  events: number;
  policies: string[];
  ranges: ArchivedRange[];
  /** Each event's position and the SHA-256 of its line, in file order. */
  hashes: [number, string][];
  createdAt: string;
}

export interface ArchiveFiles {
  archive: string;
  manifest: string;
}

/** Where run `run`'s archive and manifest are in `folder`. */
export function archiveFiles(folder: string, run: string): ArchiveFiles {
  return { archive: join(folder, `archive-${run}.jsonl.gz`), manifest: join(folder, `archive-${run}.manifest.json`) };
}

/** An event's line: its fields as stored, the time as epoch milliseconds. */
function lineOf(e: StoredEvent<unknown>): string {
  return JSON.stringify({
    position: e.position,
    streamId: e.streamId,
    version: e.version,
    eventId: e.eventId,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    recordedAt: e.recordedAt.getTime(),
  });
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** The SHA-256 of an event's archive line: what the manifest lists for it. */
export function archivedHash(event: StoredEvent<unknown>): string {
  return sha256(lineOf(event));
}

/**
 * Writes `events` (in position order) to run `run`'s archive in `folder`, syncs it, then
 * its manifest. Resolves to the manifest.
 */
export async function writeArchive(
  folder: string,
  about: Pick<ArchiveManifest, 'run' | 'store' | 'policies' | 'ranges'>,
  events: AsyncIterable<StoredEvent<unknown>>,
): Promise<ArchiveManifest> {
  const files = archiveFiles(folder, about.run);
  const hashes: [number, string][] = [];
  const fileHash = createHash('sha256');
  let bytes = 0;
  const lines = Readable.from(
    (async function* () {
      // Lines go on in chunks of about CHUNK characters: a stream write per line costs more than the line.
      let chunk = '';
      for await (const event of events) {
        const line = lineOf(event);
        hashes.push([event.position, sha256(line)]);
        chunk += `${line}\n`;
        if (chunk.length >= CHUNK) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk !== '') yield chunk;
    })(),
  );
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      fileHash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await writeSynced(files.archive, (partial) => pipeline(lines, createGzip(), hashing, createWriteStream(partial, { mode: PRIVATE })));
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    ...about,
    file: basename(files.archive),
    sha256: fileHash.digest('hex'),
    bytes,
    events: hashes.length,
    hashes,
    createdAt: new Date().toISOString(),
  };
  await writeSynced(files.manifest, (partial) => writeFile(partial, JSON.stringify(manifest), { mode: PRIVATE }));
  return manifest;
}

/**
 * Writes `path` through a `.partial` file: written, synced (fsync through a descriptor
 * of its own, which flushes the file whichever descriptor wrote it), renamed, and the
 * folder synced so the rename lasts.
 */
export async function writeSynced(path: string, write: (partial: string) => Promise<unknown>): Promise<void> {
  const partial = `${path}.partial`;
  await write(partial);
  await synced(partial, 'r+');
  await rename(partial, path);
  await synced(dirname(path), 'r');
}

async function synced(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads a manifest, checking its shape. */
export async function readManifest(manifestFile: string): Promise<ArchiveManifest> {
  let manifest: ArchiveManifest;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as ArchiveManifest;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ArchiveInvalidError(missing ? 'missing' : 'manifest', basename(manifestFile), 0, missing ? 'no such manifest' : 'the manifest is not JSON');
  }
  const ok =
    manifest?.format === ARCHIVE_FORMAT &&
    typeof manifest.run === 'string' &&
    typeof manifest.file === 'string' &&
    typeof manifest.sha256 === 'string' &&
    Array.isArray(manifest.hashes) &&
    Array.isArray(manifest.ranges) &&
    manifest.events === manifest.hashes.length;
  if (!ok) throw new ArchiveInvalidError('manifest', basename(manifestFile), 0, `not a manifest of ${ARCHIVE_FORMAT}`);
  return manifest;
}

/** The manifest that goes with an archive file (or a manifest file itself). */
export function manifestFileOf(file: string): string {
  return file.endsWith('.manifest.json') ? file : file.replace(/\.jsonl\.gz$/, '') + '.manifest.json';
}

/**
 * Reads an archive's events, checking each line's hash and position against the
 * manifest as it goes, and the file's hash and the count at the end: an archive that
 * does not verify throws ArchiveInvalidError (after yielding the events before the
 * fault; verify first to restore nothing from a bad archive).
 */
export async function* readArchive(file: string): AsyncGenerator<StoredEvent<unknown>> {
  const manifest = await readManifest(manifestFileOf(file));
  const path = join(dirname(file), manifest.file);
  const name = manifest.file;
  try {
    await stat(path);
  } catch {
    throw new ArchiveInvalidError('missing', name, 0, 'no such archive file');
  }
  const fileHash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      fileHash.update(chunk);
      done(null, chunk);
    },
  });
  const gunzip = createGunzip();
  // A read or gzip error ends the lines with it (readline then rejects the loop below).
  createReadStream(path).on('error', (error) => gunzip.destroy(error)).pipe(hashing).on('error', (error) => gunzip.destroy(error)).pipe(gunzip);
  const lines = createInterface({ input: gunzip, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      const expected = manifest.hashes[n];
      n++;
      if (expected === undefined) throw new ArchiveInvalidError('event-hash', name, n, 'more events than the manifest lists');
      if (sha256(line) !== expected[1]) throw new ArchiveInvalidError('event-hash', name, n, 'the event does not match its hash');
      const e = JSON.parse(line) as Omit<StoredEvent<unknown>, 'recordedAt'> & { recordedAt: number };
      if (e.position !== expected[0]) throw new ArchiveInvalidError('event-hash', name, n, 'the event is not at the position the manifest lists');
      yield { ...e, recordedAt: new Date(e.recordedAt) };
    }
  } catch (error) {
    if (error instanceof ArchiveInvalidError) throw error;
    throw new ArchiveInvalidError('malformed', name, n, 'the file is not a gzip of JSON lines');
  }
  if (fileHash.digest('hex') !== manifest.sha256) throw new ArchiveInvalidError('file-hash', name, 0, 'the file does not match its SHA-256');
  if (n !== manifest.events) throw new ArchiveInvalidError('event-hash', name, 0, `the file holds ${n} events, the manifest lists ${manifest.events}`);
}

export interface ArchiveSummary {
  manifest: ArchiveManifest;
  events: number;
}

/** Checks every hash of an archive: each event's, and the file's. Throws ArchiveInvalidError when one fails. */
export async function verifyArchive(file: string): Promise<ArchiveSummary> {
  let events = 0;
  for await (const _event of readArchive(file)) events++;
  return { manifest: await readManifest(manifestFileOf(file)), events };
}
