// The read side over HTTP: the post list and one post from the `posts` read model;
// a post's snapshot and its state at any version from its events.

import type { FastifyInstance } from 'fastify';
import { POST_STATUSES, postDecider, postStreamId, type PostState, type PostStatus } from '../../examples/blog/index.js';
import { MAX_LIMIT } from '../../examples/blog/read-side/index.js';
import type { LabContext } from './context.js';
import { HttpError, notFound } from './errors.js';
import { postsJson } from './authors.js';
import { cursorSchema, digits, idParams, readInt } from './json.js';

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: POST_STATUSES },
    authorId: { type: 'string', minLength: 1, maxLength: 100 },
    limit: digits,
    cursor: cursorSchema,
  },
} as const;

const historyQuery = { type: 'object', additionalProperties: false, properties: { version: digits } } as const;
const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

const postDoesNotExist = () => notFound('Post does not exist');

export function postRoutes(app: FastifyInstance, lab: LabContext): void {
  app.get<{ Querystring: { status?: PostStatus; authorId?: string; limit?: string; cursor?: string } }>(
    '/api/posts',
    { schema: { querystring: listQuery } },
    async (request) => {
      const { status, authorId, limit, cursor } = request.query;
      const page = await lab.queries.listPosts({
        ...(status !== undefined && { status }),
        ...(authorId !== undefined && { authorId }),
        ...(cursor !== undefined && { cursor }),
        limit: readInt(limit, 'limit', { min: 1, max: MAX_LIMIT, default: 20 }),
      });
      return { items: await postsJson(lab, page.items), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: { id: string } }>('/api/posts/:id', { schema: { params: idParams, querystring: noQuery } }, async (request) => {
    const post = await lab.queries.post(request.params.id);
    if (post === undefined) throw postDoesNotExist();
    return (await postsJson(lab, [post]))[0];
  });

  app.get<{ Params: { id: string } }>('/api/posts/:id/snapshot', { schema: { params: idParams, querystring: noQuery } }, async (request) => {
    const streamId = postStreamId(request.params.id);
    const [last] = await lab.store.readStream(streamId, { direction: 'backward', maxCount: 1 });
    if (last === undefined) throw postDoesNotExist();
    const snapshot = await lab.store.snapshots.load(streamId);
    return {
      streamVersion: last.version,
      snapshot: snapshot === undefined ? null : { version: snapshot.version, schemaVersion: snapshot.schemaVersion, takenAt: snapshot.takenAt.toISOString() },
    };
  });

  // Folded from the events themselves, so it shows what the stream says, snapshot or not.
  app.get<{ Params: { id: string }; Querystring: { version?: string } }>(
    '/api/posts/:id/history',
    { schema: { params: idParams, querystring: historyQuery } },
    async (request) => {
      const streamId = postStreamId(request.params.id);
      const [last] = await lab.store.readStream(streamId, { direction: 'backward', maxCount: 1 });
      if (last === undefined) throw postDoesNotExist();
      const version = readInt(request.query.version, 'version', { min: 0, default: last.version });
      if (version < 1 || version > last.version) {
        throw new HttpError(400, 'VALIDATION_FAILED', `version: must be from 1 to ${last.version}, the post's versions`, { field: 'version' });
      }
      const events = await lab.store.readStream(streamId, { maxCount: version });
      const state = events.reduce<PostState>((s, e) => postDecider.evolve(s, e as never), postDecider.initialState());
      return { version, state };
    },
  );
}
