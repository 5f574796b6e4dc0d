// Backing a store up, and taking a restored one into use. A backup holds the store's
// maintenance lock (no prune or archive restore runs meanwhile), writes a consistent copy
// while writers go on (the store's own way: storage.ts), and then its manifest. A
// restored store gets a new epoch: its consumers' checkpoints, saved under the old one,
// stop them until an operator says what each should do (eventline recover).

import { basename } from 'node:path';
import { ValidationError } from '../core/errors.js';
import type { EventStore } from '../store/event-store.js';
import { writeSynced } from '../retention/archive.js';
import { registeredConsumers, type Consumer } from '../retention/consumers.js';
import { BACKUP_FORMAT, fileDigest, manifestOf, writeManifestText, type BackupManifest } from './manifest.js';

/**
 * Writes a consistent backup of `store` to `file`, and its manifest beside it
 * (`<file>.manifest.json`). The key storage of personal data is never in it: it lives
 * apart (keys.db, the `<schema>_keys` schema) and is backed up on its own.
 * Throws MaintenanceBusyError while a prune, an archive restore or another backup runs.
 */
export async function backupStore(store: EventStore, file: string): Promise<BackupManifest> {
  if (typeof file !== 'string' || file === '') throw new ValidationError('file', 'must name a file');
  return store.maintenance.withLock('backup', async () => {
    const checkpoints = await registeredConsumers(store);
    const facts = await store.maintenance.backup(file);
    const digest = await fileDigest(file);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      store: store.kind,
      ...(facts.schema === undefined ? {} : { schema: facts.schema }),
      schemaVersion: facts.schemaVersion,
      head: facts.head,
      epoch: facts.epoch,
      checkpoints,
      file: basename(file),
      ...digest,
      createdAt: new Date().toISOString(),
    };
    await writeSynced(manifestOf(file), (partial) => writeManifestText(partial, manifest));
    return manifest;
  });
}

export interface RestoredStore {
  /** The epoch the restored store now has. */
  epoch: string;
  head: number;
  /** Every consumer's checkpoint: each belongs to the backup's epoch, and stops its consumer until recovered. */
  consumers: Consumer[];
}

/** Mints a restored store's new epoch; resolves to it and the consumers it strands. */
export async function adoptRestoredStore(store: EventStore): Promise<RestoredStore> {
  const epoch = await store.maintenance.renewEpoch();
  return { epoch, head: await store.headPosition(), consumers: await registeredConsumers(store) };
}
