// `eventline read`: the events of one stream, forward or backward from a version.
// The store reads a stream whole, so its lines are aligned all together.

import { stringValue } from '../args.js';
import type { Command } from '../command.js';
import { EVENT_COLUMNS, eventCells, eventRecord, printable } from '../format.js';
import { createTablePrinter } from '../table.js';
import { wholeNumber } from '../values.js';

export const readCommand: Command = {
  name: 'read',
  summary: 'Print the events of one stream',
  synopsis: '<stream> [--from-version <n>] [--max-count <n>] [--backward]',
  positionals: ['stream'],
  options: {
    'from-version': { type: 'string' },
    'max-count': { type: 'string' },
    backward: { type: 'boolean' },
  },
  optionHelp: [
    ['--from-version <n>', 'First version to print. Default: 1, or the last version with --backward'],
    ['--max-count <n>', 'Print at most n events'],
    ['--backward', 'From the newest event to the oldest'],
  ],
  prints: 'One line per event: position, stream, version, type and data (cut at 200 characters).\n' +
    'With --json: one event object per line (NDJSON), recordedAt as an ISO string.',
  examples: [
    'eventline read order-1',
    'eventline read order-1 --backward --max-count 1 --json',
  ],

  prepare({ values, positionals }) {
    const [streamId] = positionals as [string];
    const fromText = stringValue(values, 'from-version');
    const maxText = stringValue(values, 'max-count');
    const fromVersion = fromText === undefined ? undefined : wholeNumber(fromText, 'from-version', 0);
    const maxCount = maxText === undefined ? undefined : wholeNumber(maxText, 'max-count', 1);
    const direction = values.backward === true ? 'backward' : 'forward';

    return async ({ store, out }) => {
      const events = await store.readStream(streamId, { fromVersion, maxCount, direction });
      if (out.json) {
        for (const event of events) await out.record(eventRecord(event));
        return;
      }
      if (events.length === 0) {
        const from = fromVersion === undefined ? '' : ` from version ${fromVersion}${direction === 'backward' ? ' backward' : ''}`;
        await out.line(`no events in stream '${printable(streamId)}'${from}`);
        return;
      }
      const table = createTablePrinter(EVENT_COLUMNS, out.line, events.length);
      for (const event of events) await table.row(eventCells(event));
      await table.end();
    };
  },
};
