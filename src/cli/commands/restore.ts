// `eventline restore <file> --into <url>`: puts a backup back where no store is yet,
// after its SHA-256 matches the manifest, and gives the restored store a new epoch. The
// consumers' checkpoints came back with it under the old epoch: each stops until
// `eventline recover` says what it should do.

import { resolve } from 'node:path';
import { adoptRestoredStore, verifyBackup } from '../../backup/index.js';
import { BackupInvalidError, ValidationError } from '../../core/errors.js';
import { openEventStore } from '../../open/open-store.js';
import { restoreStoreFiles, storeTarget } from '../../open/restore-files.js';
import { stringValue } from '../args.js';
import type { Command, OwnStoreTask } from '../command.js';
import { UsageError } from '../errors.js';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Restore a backup where there is no store yet, under a new epoch',
  synopsis: '<file> --into <store url>',
  positionals: ['file'],
  options: {
    into: { type: 'string' },
  },
  optionHelp: [
    ['<file>', 'A backup `eventline backup` wrote, with its manifest beside it'],
    ['--into <store url>', 'Where to restore it: a SQLite file that does not exist yet, or a PostgreSQL schema'],
    ['', 'that holds nothing, of the name the backup was taken from (its functions name it)'],
  ],
  prints: 'What was restored (head, the new epoch) and the consumers whose checkpoints now belong to the\n' +
    'old epoch (see eventline recover). With --json: {"into","head","epoch","previousEpoch","consumers"}.',
  examples: ['eventline restore backups/blog-2027-01-31.db --into sqlite:./data/blog.db'],

  prepare({ positionals, values }) {
    const [fileText] = positionals as [string];
    if (fileText === '') throw new UsageError('restore needs <file>');
    const into = stringValue(values, 'into');
    if (into === undefined || into === '') throw new UsageError('restore needs --into <store url>, where there is no store yet');
    const target = storeTarget(into);
    return restoreTask(resolve(process.cwd(), fileText), into, target);
  },
};

function restoreTask(file: string, into: string, target: ReturnType<typeof storeTarget>): OwnStoreTask {
  let previousEpoch = '';
  return {
    // The store is the one --into names, made from the backup here: --store plays no part.
    async open() {
      const manifest = await verifyBackup(file);
      if (manifest.store !== target.kind) {
        throw new BackupInvalidError('kind', manifest.file, `it is a backup of a ${manifest.store} store, and --into names a ${target.kind} store`);
      }
      if (target.schema !== undefined && target.schema !== manifest.schema) {
        throw new ValidationError('into', `the backup holds schema ${manifest.schema}, and restores only into a schema of that name (?schema=${manifest.schema}; in another database if it is in use)`);
      }
      previousEpoch = manifest.epoch;
      await restoreStoreFiles(into, file);
      return openEventStore(into, { create: false });
    },
    async run({ store, out }) {
      const { epoch, head, consumers } = await adoptRestoredStore(store);
      if (out.json) return out.record({ into: storeTarget(into).kind, head, epoch, previousEpoch, consumers });
      await out.line(`restored ${file} into the ${store.kind} store: head ${head}, new epoch ${epoch} (the backup's was ${previousEpoch})`);
      if (consumers.length > 0) {
        const names = consumers.map((c) => `${c.kind} ${c.name} at ${c.checkpoint}`).join(', ');
        await out.line(`${consumers.length} consumer${consumers.length === 1 ? '' : 's'} stop until recovered (eventline recover --list): ${names}`);
      }
    },
  };
}
