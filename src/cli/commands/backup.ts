// `eventline backup <file>`: a consistent copy of the store while writers go on, with a
// manifest beside it (docs/operations.md). It holds the store's maintenance lock, so no
// prune or archive restore runs meanwhile. The key storage of personal data is never in
// it: it is backed up on its own.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { backupStore, manifestOf } from '../../backup/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Write a consistent backup of the store, with a manifest beside it',
  synopsis: '<file>',
  positionals: ['file'],
  options: {},
  optionHelp: [
    ['<file>', 'Where the backup goes (it must not exist); the manifest goes to <file>.manifest.json.'],
    ['', 'SQLite: a copy of the file (VACUUM INTO); PostgreSQL: pg_dump of the store\'s schema'],
    ['', 'Read models are in it; the key storage of personal data is not (see docs/operations.md)'],
  ],
  prints: 'What the backup holds: its head position, schema version, epoch and SHA-256, and where the\n' +
    'manifest is. With --json: the manifest {"format","store","schema"?,"schemaVersion","head","epoch",\n' +
    '"checkpoints","file","bytes","sha256","createdAt"}.',
  examples: ['eventline backup backups/blog-2027-01-31.db', 'eventline --store postgres://localhost/app backup backups/app.dump --json'],

  prepare({ positionals }) {
    const [fileText] = positionals as [string];
    if (fileText === '') throw new UsageError('backup needs <file>');
    const file = resolve(process.cwd(), fileText);
    if (existsSync(file) || existsSync(manifestOf(file))) throw new UsageError(`backup: ${fileText} exists already; name a new file`);
    return async ({ store, out }) => {
      const manifest = await backupStore(store, file);
      if (out.json) return out.record({ ...manifest });
      await out.line(
        `backed up the ${manifest.store} store to ${file}: head ${manifest.head}, schema ${manifest.schemaVersion}, epoch ${manifest.epoch}, sha256 ${manifest.sha256}`,
      );
      await out.line(`manifest ${manifestOf(file)}; the key storage of personal data is not in the backup: back it up on its own (eventline keys backup <file>)`);
    };
  },
};
