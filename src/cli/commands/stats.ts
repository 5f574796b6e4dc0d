// `eventline stats`: how much the store holds, and what its last prune gave back.

import { lastPrune } from '../../retention/index.js';
import type { SpaceReport } from '../../store/storage.js';
import type { Command } from '../command.js';
import { humanSize } from '../format.js';

/** What the bytes after a prune mean, by what gave its space back. */
const AFTER: Record<SpaceReport['done'], string> = {
  'none': 'its space kept for new events: eventline reclaim --full gives it back',
  'incremental': 'incremental vacuum: its space given back',
  'vacuum': 'VACUUM: its space given back',
  'vacuum-analyze': 'VACUUM: its space kept for new events, eventline reclaim --full gives it back',
  'vacuum-full': 'VACUUM FULL: its space given back',
};

export const statsCommand: Command = {
  name: 'stats',
  summary: 'Count the events and streams, and the bytes the store takes',
  synopsis: '',
  positionals: [],
  options: {},
  optionHelp: [],
  prints: 'The kind of store, its number of events and streams, and its size on disk\n' +
    '(for memory:, the bytes of its payloads); after a prune, the last run and the\n' +
    'store\'s bytes before it and once its space was given back.\n' +
    'With --json: {"events":N,"streams":N,"bytes":N,"lastPrune":null|{"run","recordedAt","events","bytesBefore","bytesAfter","measured","done"}}.',
  examples: ['eventline stats', 'eventline --store postgres://localhost/app stats --json'],

  prepare() {
    return async ({ store, out }) => {
      const { events, streams, bytes } = await store.stats();
      const pruned = await lastPrune(store);
      if (out.json) {
        await out.record({ events, streams, bytes, lastPrune: pruned === undefined ? null : { ...pruned, recordedAt: pruned.recordedAt.toISOString() } });
        return;
      }
      await out.line(`store    ${store.kind}`);
      await out.line(`events   ${events}`);
      await out.line(`streams  ${streams}`);
      await out.line(`size     ${humanSize(bytes)} (${bytes} bytes)`);
      if (pruned === undefined) return;
      await out.line(`pruned   run ${pruned.run} at ${pruned.recordedAt.toISOString()}: ${pruned.events} events`);
      const after = pruned.done === undefined ? 'after, once the space is given back (estimated)' : `after (${AFTER[pruned.done]})`;
      await out.line(`         ${humanSize(pruned.bytesBefore)} (${pruned.bytesBefore} bytes) before, ${humanSize(pruned.bytesAfter)} (${pruned.bytesAfter} bytes) ${after}`);
    };
  },
};
