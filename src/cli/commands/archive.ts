// `eventline archive verify | restore`: the archives a prune writes (docs/retention.md).
// verify checks every event's hash and the file's against the manifest; restore puts the
// events back exactly as stored, into the store --into names: another store (made when
// missing) to look at old events, or the store they came from, back at their positions.

import { resolve } from 'node:path';
import { openEventStore } from '../../open/open-store.js';
import { restoreArchive, verifyArchive } from '../../retention/index.js';
import { commandAction, stringValue } from '../args.js';
import type { Command, OwnStoreTask } from '../command.js';
import { UsageError } from '../errors.js';

const ACTION_OPTIONS = { verify: [], restore: ['into'] } as const;

export const archiveCommand: Command = {
  name: 'archive',
  summary: 'Verify an archive of pruned events, or restore it into a store',
  synopsis: 'verify <file> | restore <file> --into <store url>',
  positionals: ['action', 'file'],
  options: {
    into: { type: 'string' },
  },
  optionHelp: [
    ['verify <file>', 'Check every event\'s SHA-256 and the file\'s against the manifest beside it'],
    ['restore <file>', 'Verify, then put the events back exactly as stored, with a RetentionRestored event'],
    ['  --into <store url>', 'The store to restore into: another one (made when missing), or the store they were'],
    ['', 'pruned from, where each returns to its own position and no consumer sees it again'],
  ],
  prints:
    'verify: the run, how many events, and that every hash matches (exit 1 and what failed otherwise).\n' +
    'restore: how many events went back, and where the audit event is.\n' +
    'With --json: verify {"run","events","sha256","valid"}; restore {"run","restored","auditPosition"}.',
  examples: ['eventline archive verify archives/archive-20270131T020000000Z-5f2a9c.jsonl.gz', 'eventline archive restore archives/archive-….jsonl.gz --into sqlite:./old-posts.db'],

  prepare({ values, positionals }) {
    const [actionText, fileText] = positionals as [string, string];
    const action = commandAction(archiveCommand, ACTION_OPTIONS, actionText, values);
    if (fileText === '') throw new UsageError(`archive ${action} needs <file>`);
    const file = resolve(process.cwd(), fileText);
    return action === 'verify' ? verifyTask(file) : restoreTask(file, stringValue(values, 'into'));
  },
};

function verifyTask(file: string): OwnStoreTask {
  return {
    // Verifying reads the archive's files only: the store it is handed is an empty one in memory.
    open: () => openEventStore('memory:'),
    async run({ out }) {
      const { manifest, events } = await verifyArchive(file);
      if (out.json) return out.record({ run: manifest.run, events, sha256: manifest.sha256, valid: true });
      await out.line(`archive of run ${manifest.run}: ${events} events, every hash matches (sha256 ${manifest.sha256})`);
    },
  };
}

function restoreTask(file: string, into: string | undefined): OwnStoreTask {
  if (into === undefined || into === '') {
    throw new UsageError('archive restore needs --into <store url>: another store, or the one the events were pruned from');
  }
  return {
    open: () => openEventStore(into, { create: true }),
    async run({ store, out }) {
      const { run, restored, auditPosition } = await restoreArchive(file, store);
      if (out.json) return out.record({ run, restored, auditPosition });
      await out.line(`restored ${restored} events of run ${run}; RetentionRestored at position ${auditPosition}`);
    },
  };
}
