// A backup's manifest, a JSON file beside it: what the backup holds (kind of store, head,
// schema version, epoch, the consumers' checkpoints) and the SHA-256 of its file, which a
// restore checks before it writes anything.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BackupInvalidError } from '../core/errors.js';
import type { Consumer } from '../retention/consumers.js';

export const BACKUP_FORMAT = 'eventline-backup/1';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  /** The kind of store: sqlite or postgres. */
  store: string;
  /** PostgreSQL: the schema the dump holds, and restores into. */
  schema?: string;
  schemaVersion: number;
  /** The position of the newest event in the backup. */
  head: number;
  /** The epoch of the store backed up; a restore mints a new one. */
  epoch: string;
  /** The consumers' checkpoints as the backup began: the backup holds each at or past it. */
  checkpoints: Consumer[];
  /** The backup's file name (the manifest sits beside it). */
  file: string;
  bytes: number;
  sha256: string;
  createdAt: string;
}

/** The manifest's path: beside the backup, named after it. */
export const manifestOf = (file: string): string => `${file}.manifest.json`;

export async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Reads the manifest beside `file` and checks the file against it; throws BackupInvalidError, writing nothing. */
export async function verifyBackup(file: string): Promise<BackupManifest> {
  const name = basename(file);
  let text: string;
  try {
    text = await readFile(manifestOf(file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new BackupInvalidError('missing', name, `no manifest beside it (${basename(manifestOf(file))})`);
  }
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(text) as BackupManifest;
  } catch {
    throw new BackupInvalidError('malformed', name, 'its manifest is not JSON');
  }
  if (!isManifest(manifest)) throw new BackupInvalidError('malformed', name, `its manifest is not an ${BACKUP_FORMAT} manifest`);
  let digest: { sha256: string; bytes: number };
  try {
    digest = await fileDigest(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new BackupInvalidError('missing', name, 'no such file');
  }
  if (digest.sha256 !== manifest.sha256 || digest.bytes !== manifest.bytes) {
    throw new BackupInvalidError('sha256', name, `its SHA-256 is ${digest.sha256}, not the manifest's ${manifest.sha256}: the file changed or is incomplete`);
  }
  return manifest;
}

function isManifest(m: BackupManifest): boolean {
  return (
    m?.format === BACKUP_FORMAT &&
    (m.store === 'sqlite' || m.store === 'postgres') &&
    Number.isSafeInteger(m.head) &&
    Number.isSafeInteger(m.schemaVersion) &&
    typeof m.epoch === 'string' &&
    typeof m.sha256 === 'string' &&
    Number.isSafeInteger(m.bytes) &&
    Array.isArray(m.checkpoints) &&
    (m.schema === undefined || typeof m.schema === 'string')
  );
}

export async function writeManifestText(path: string, manifest: BackupManifest): Promise<void> {
  await writeFile(path, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
}
