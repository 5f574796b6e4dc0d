// `eventline reclaim`: gives the space of removed events back. A prune does the cheap part
// itself (SQLite's incremental vacuum, PostgreSQL's VACUUM); --full is the rewrite an
// operator chooses for a time when the store may be locked.

import type { Command } from '../command.js';
import { humanSize } from '../format.js';

export const reclaimCommand: Command = {
  name: 'reclaim',
  summary: 'Give the space of pruned events back to the disk',
  synopsis: '[--full]',
  positionals: [],
  options: {
    full: { type: 'boolean' },
  },
  optionHelp: [
    ['--full', 'Rewrite what a cheap pass cannot give back: a SQLite file made before incremental vacuum'],
    ['', '(VACUUM), a PostgreSQL table (VACUUM FULL). Locks the store while it runs, needs room for a copy'],
  ],
  prints:
    'The store\'s bytes before and after, what was run, and what more --full would do.\n' +
    'With --json: {"bytesBefore":N,"bytesAfter":N,"done":"…","advice":"…"|null}.',
  examples: ['eventline reclaim', 'eventline --store sqlite:./data/blog.db reclaim --full'],

  prepare({ values }) {
    const full = values.full === true;
    return async ({ store, out }) => {
      // A rewrite beside a prune, a restore or a backup would fight them for the store.
      const space = await store.maintenance.withLock('reclaim', () => store.retention.reclaimSpace({ full }));
      if (out.json) {
        await out.record({ ...space, advice: space.advice ?? null });
        return;
      }
      await out.line(`${humanSize(space.bytesBefore)} (${space.bytesBefore} bytes) before, ${humanSize(space.bytesAfter)} (${space.bytesAfter} bytes) after (${space.done})`);
      if (space.advice !== undefined) await out.line(space.advice);
    };
  },
};
