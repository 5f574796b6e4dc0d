// `eventline append`: one event onto one stream, with the optimistic-concurrency
// check and the idempotent retry (same --event-id) the store offers every caller.

import { uuidv7 } from '../../core/uuid.js';
import { requiredString, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { printable } from '../format.js';
import { eventId, expectedVersion, jsonObject, jsonValue } from '../values.js';

export const appendCommand: Command = {
  name: 'append',
  createsStore: true,
  summary: 'Append one event to a stream',
  synopsis: '<stream> --type <type> --data <json> [--metadata <json>] [--event-id <uuid>] [--expected-version <v>]',
  positionals: ['stream'],
  options: {
    type: { type: 'string' },
    data: { type: 'string' },
    metadata: { type: 'string' },
    'event-id': { type: 'string' },
    'expected-version': { type: 'string' },
  },
  optionHelp: [
    ['--type <type>', 'The event type (required)'],
    ['--data <json>', 'The event data, any JSON value (required); @file reads a file, @- standard input'],
    ['--metadata <json>', 'A JSON object stored beside the data; @file and @- as for --data'],
    ['--event-id <uuid>', 'The event id; repeating an append with the same id is a no-op. Default: a new UUIDv7'],
    ['--expected-version <v>', 'Append only if the stream is at version v: a whole number, any, no_stream or stream_exists. Default any'],
  ],
  prints: 'The stream\'s new version (pass it as the next --expected-version), the event\'s position and its id.\n' +
    'With --json: {"nextExpectedVersion":N,"lastPosition":P,"eventId":"…"}.',
  examples: [
    `eventline append order-1 --type OrderPlaced --data '{"sku":"A-1","qty":2}'`,
    `eventline append order-1 --type OrderShipped --data '{}' --expected-version 1`,
    `eventline append order-2 --type OrderPlaced --data @order.json --expected-version no_stream`,
  ],

  async prepare({ values, positionals, readStdin }) {
    const [streamId] = positionals as [string];
    const type = requiredString(values, 'type', 'append');
    const dataText = requiredString(values, 'data', 'append');
    const metadataText = stringValue(values, 'metadata');
    const givenId = stringValue(values, 'event-id');
    const versionText = stringValue(values, 'expected-version');

    const expected = versionText === undefined ? 'any' : expectedVersion(versionText);
    // The id is chosen here, not in the store, so it can be printed and the append retried with it.
    const id = givenId === undefined ? uuidv7() : eventId(givenId);
    const data = await jsonValue(dataText, 'data', readStdin);
    const metadata = metadataText === undefined ? undefined : await jsonObject(metadataText, 'metadata', readStdin);

    return async ({ store, out }) => {
      const event = { type, data, eventId: id, ...(metadata !== undefined && { metadata }) };
      const result = await store.appendToStream(streamId, [event], { expectedVersion: expected });
      const eventIdStored = id.toLowerCase();
      if (out.json) {
        await out.record({ ...result, eventId: eventIdStored });
      } else {
        await out.line(
          `appended ${printable(type)} to ${printable(streamId)}: version ${result.nextExpectedVersion}, ` +
            `position ${result.lastPosition}, eventId ${eventIdStored}`,
        );
      }
    };
  },
};
