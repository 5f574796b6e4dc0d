// `eventline streams`: every stream id with its version, in id order, paged by the store.

import type { Command } from '../command.js';
import { printable } from '../format.js';
import { createTablePrinter } from '../table.js';

const COLUMNS = [
  { title: 'STREAM', align: 'left' },
  { title: 'VERSION', align: 'right' },
] as const;

export const streamsCommand: Command = {
  name: 'streams',
  summary: 'List the streams with their versions',
  synopsis: '',
  positionals: [],
  options: {},
  optionHelp: [],
  prints: 'One line per stream, in id order: its id and its version (its number of events).\n' +
    'With --json: {"streamId":"…","version":N} per line (NDJSON).',
  examples: ['eventline streams', 'eventline streams --json'],

  prepare() {
    return async ({ store, out }) => {
      const table = createTablePrinter(COLUMNS, out.line);
      for await (const { streamId, version } of store.listStreams()) {
        await (out.json ? out.record({ streamId, version }) : table.row([printable(streamId), String(version)]));
      }
      if (out.json) return;
      if ((await table.end()) === 0) await out.line('the store has no streams');
    };
  },
};
