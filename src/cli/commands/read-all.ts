// `eventline read-all`: every stream's events in position order, optionally filtered.
// The store pages through them, and each page is printed before the next is read.

import { stringList, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { EVENT_COLUMNS, eventCells, eventRecord, printable } from '../format.js';
import { createTablePrinter } from '../table.js';
import { wholeNumber } from '../values.js';

const PAGE = 500;

export const readAllCommand: Command = {
  name: 'read-all',
  summary: 'Print the events of every stream, in position order',
  synopsis: '[--after <position>] [--type <type>]... [--stream-prefix <prefix>] [--limit <n>]',
  positionals: [],
  options: {
    after: { type: 'string' },
    type: { type: 'string', multiple: true },
    'stream-prefix': { type: 'string' },
    limit: { type: 'string' },
  },
  optionHelp: [
    ['--after <position>', 'Only events after this position (to resume where a listing stopped). Default 0'],
    ['--type <type>', 'Only events of this type; repeat for several'],
    ['--stream-prefix <prefix>', 'Only streams whose id starts with this text (taken literally)'],
    ['--limit <n>', 'Print at most n events'],
  ],
  prints: 'One line per event: position, stream, version, type and data (cut at 200 characters).\n' +
    'With --json: one event object per line (NDJSON), recordedAt as an ISO string.',
  examples: [
    'eventline read-all',
    'eventline read-all --type OrderPlaced --type OrderShipped --stream-prefix order-',
    'eventline read-all --after 1000 --limit 100 --json',
  ],

  prepare({ values }) {
    const afterText = stringValue(values, 'after');
    const limitText = stringValue(values, 'limit');
    const after = afterText === undefined ? undefined : wholeNumber(afterText, 'after', 0);
    const limit = limitText === undefined ? Number.POSITIVE_INFINITY : wholeNumber(limitText, 'limit', 1);
    const types = stringList(values, 'type');
    const streamPrefix = stringValue(values, 'stream-prefix');

    return async ({ store, out }) => {
      const events = store.readAll({
        after,
        ...(types.length > 0 && { types }),
        streamPrefix,
        batchSize: Math.min(limit, PAGE),
      });
      const table = createTablePrinter(EVENT_COLUMNS, out.line);
      let count = 0;
      for await (const event of events) {
        await (out.json ? out.record(eventRecord(event)) : table.row(eventCells(event)));
        if (++count >= limit) break;
      }
      if (out.json) return;
      if ((await table.end()) === 0) await out.line(nothingFound(after, types, streamPrefix));
    };
  },
};

function nothingFound(after: number | undefined, types: string[], streamPrefix: string | undefined): string {
  const filters = [
    after === undefined ? '' : ` after position ${after}`,
    types.length === 0 ? '' : ` of type ${types.map(printable).join(' or ')}`,
    streamPrefix === undefined ? '' : ` in streams starting with '${printable(streamPrefix)}'`,
  ].join('');
  return filters === '' ? 'the store has no events' : `no events${filters}`;
}
