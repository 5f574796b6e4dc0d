// The log itself over HTTP: every event in order (filtered by type), the streams, and
// one stream's events. These read the store, never a read model.

import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../src/index.js';
import type { LabContext } from './context.js';
import { notFound } from './errors.js';
import { cursorSchema, digits, eventJson, idParams, readInt } from './json.js';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

const typeName = { type: 'string', minLength: 1, maxLength: 200 } as const;

const eventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: digits,
    limit: digits,
    // ?type=A&type=B arrives as an array.
    type: { anyOf: [typeName, { type: 'array', items: typeName, maxItems: 50 }] },
  },
} as const;

const streamsQuery = { type: 'object', additionalProperties: false, properties: { limit: digits, cursor: cursorSchema } } as const;
const streamQuery = { type: 'object', additionalProperties: false, properties: { fromVersion: digits, limit: digits } } as const;

const pageSize = (limit: string | undefined) => readInt(limit, 'limit', { min: 1, max: MAX_PAGE, default: DEFAULT_PAGE });

export function eventRoutes(app: FastifyInstance, lab: LabContext): void {
  app.get<{ Querystring: { after?: string; limit?: string; type?: string | string[] } }>(
    '/api/events',
    { schema: { querystring: eventsQuery } },
    async (request) => {
      const after = readInt(request.query.after, 'after', { min: 0, default: 0 });
      const limit = pageSize(request.query.limit);
      const { type } = request.query;
      const types = type === undefined ? undefined : Array.isArray(type) ? type : [type];
      const events = await lab.store.readAllPage({ after, batchSize: limit, ...(types && { types }) });
      return { events: events.map(eventJson), lastPosition: events.at(-1)?.position ?? after };
    },
  );

  // A cursor is the last stream id of a page; the next page lists the streams after it.
  app.get<{ Querystring: { limit?: string; cursor?: string } }>('/api/streams', { schema: { querystring: streamsQuery } }, async (request) => {
    const limit = pageSize(request.query.limit);
    const after = request.query.cursor === undefined ? undefined : decodeStreamCursor(request.query.cursor);
    const items: { streamId: string; version: number }[] = [];
    let more = false;
    for await (const { streamId, version } of lab.store.listStreams({ ...(after !== undefined && { after }), batchSize: Math.min(limit + 1, MAX_PAGE) })) {
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push({ streamId, version });
    }
    const last = items.at(-1);
    return { items, nextCursor: more && last ? Buffer.from(last.streamId).toString('base64url') : null };
  });

  app.get<{ Params: { id: string }; Querystring: { fromVersion?: string; limit?: string } }>(
    '/api/streams/:id',
    { schema: { params: idParams, querystring: streamQuery } },
    async (request) => {
      const streamId = request.params.id;
      const [last] = await lab.store.readStream(streamId, { direction: 'backward', maxCount: 1 });
      if (last === undefined) throw notFound('Stream does not exist', { streamId });
      const fromVersion = readInt(request.query.fromVersion, 'fromVersion', { min: 1, default: 1 });
      const events = await lab.store.readStream(streamId, { fromVersion, maxCount: pageSize(request.query.limit) });
      return { streamId, version: last.version, events: events.map(eventJson) };
    },
  );
}

function decodeStreamCursor(cursor: string): string {
  const streamId = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (streamId === '' || Buffer.from(streamId).toString('base64url') !== cursor) {
    throw new ValidationError('cursor', 'is not a cursor this list gave out');
  }
  return streamId;
}
