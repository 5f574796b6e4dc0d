// The write side over HTTP: each route is one blog command. The body's shape is
// checked by schema; the blog then checks the values (naming the field) and its
// rules. The answer carries the events written, once the read side has them; the
// review's two commands also carry the post as the read side now shows it.

import type { FastifyInstance } from 'fastify';
import { everyNEvents, uuidv7, type SnapshotOptions } from '../../src/index.js';
import { handlePostCommand, parsePostCommand, POST_SNAPSHOT_SCHEMA_VERSION, type PostCommand } from '../../examples/blog/index.js';
import type { LabContext } from './context.js';
import { assertAuthorMayWrite, postsJson } from './authors.js';
import { eventJson, idParams } from './json.js';

// Often enough that snapshots show up in the Lab after a few edits.
export const SNAPSHOT_EVERY = 5;

const expectedVersion = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

const createBody = {
  type: 'object',
  required: ['title', 'body', 'authorId'],
  additionalProperties: false,
  properties: { title: { type: 'string' }, body: { type: 'string' }, authorId: { type: 'string' }, postId: { type: 'string' }, expectedVersion },
} as const;

const editBody = {
  type: 'object',
  additionalProperties: false,
  properties: { title: { type: 'string' }, body: { type: 'string' }, expectedVersion },
} as const;

// Publishing needs no body; Fastify hands an absent body to the schema as null.
const optionalBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { expectedVersion },
} as const;

const reviewBody = {
  type: 'object',
  required: ['decision'],
  additionalProperties: false,
  properties: {
    decision: { type: 'string', enum: ['approve', 'reject'] },
    // The blog checks the values: a reason only to reject, an ISO time with its zone only to approve.
    reason: { type: 'string' },
    publishAt: { type: 'string' },
    expectedVersion,
  },
} as const;

interface ReviewBody {
  decision: 'approve' | 'reject';
  reason?: string;
  publishAt?: string;
  expectedVersion?: number;
}

interface CreateBody {
  title: string;
  body: string;
  authorId: string;
  postId?: string;
  expectedVersion?: number;
}

interface EditBody {
  title?: string;
  body?: string;
  expectedVersion?: number;
}

export function commandRoutes(app: FastifyInstance, lab: LabContext): void {
  const snapshots: SnapshotOptions = {
    schemaVersion: POST_SNAPSHOT_SCHEMA_VERSION,
    policy: everyNEvents(SNAPSHOT_EVERY),
    logger: { warn: (message) => app.log.warn(message) },
  };

  async function send(command: PostCommand, expected: number | undefined) {
    const result = await handlePostCommand(lab.store, command, { snapshots, ...(expected !== undefined && { expectedVersion: expected }) });
    await lab.readYourWrites(result.lastPosition);
    return { postId: command.postId, version: result.nextExpectedVersion, position: result.lastPosition, events: result.events.map(eventJson) };
  }

  app.post<{ Body: CreateBody }>('/api/posts', { schema: { body: createBody } }, async (request, reply) => {
    const { postId = uuidv7(), title, body, authorId, expectedVersion } = request.body;
    // The values first, then the author: a post never names an author who cannot write.
    // (An author forgotten between this check and the append still gets the post: the forget wins on reads.)
    const command = parsePostCommand({ type: 'CreatePost', postId, title, body, authorId });
    await assertAuthorMayWrite(lab, authorId);
    reply.code(201);
    return send(command, expectedVersion);
  });

  app.put<{ Params: { id: string }; Body: EditBody }>('/api/posts/:id', { schema: { params: idParams, body: editBody } }, async (request) => {
    const { title, body, expectedVersion } = request.body;
    const command: PostCommand = {
      type: 'EditPost',
      postId: request.params.id,
      ...(title !== undefined && { title }),
      ...(body !== undefined && { body }),
    };
    return send(command, expectedVersion);
  });

  for (const [action, type] of [
    ['publish', 'PublishPost'],
    ['unpublish', 'UnpublishPost'],
  ] as const) {
    app.post<{ Params: { id: string }; Body: { expectedVersion?: number } | null }>(
      `/api/posts/:id/${action}`,
      { schema: { params: idParams, body: optionalBody } },
      async (request) => send({ type, postId: request.params.id }, request.body?.expectedVersion ?? undefined),
    );
  }

  /** A review command's answer: what it wrote, and the post as the read side shows it after. */
  async function sendReview(command: PostCommand, expected: number | undefined) {
    const result = await send(command, expected);
    const post = await lab.queries.post(command.postId);
    return { ...result, post: post === undefined ? null : (await postsJson(lab, [post]))[0]! };
  }

  // Submitting hands the post to the review workflow, which starts the review.
  app.post<{ Params: { id: string }; Body: { expectedVersion?: number } | null }>(
    '/api/posts/:id/submit',
    { schema: { params: idParams, body: optionalBody } },
    async (request) => sendReview({ type: 'SubmitPostForReview', postId: request.params.id }, request.body?.expectedVersion ?? undefined),
  );

  app.post<{ Params: { id: string }; Body: ReviewBody }>('/api/posts/:id/review', { schema: { params: idParams, body: reviewBody } }, async (request) => {
    const { decision, reason, publishAt, expectedVersion } = request.body;
    const command: PostCommand = {
      type: 'ReviewPost',
      postId: request.params.id,
      decision,
      ...(reason !== undefined && { reason }),
      ...(publishAt !== undefined && { publishAt }),
    };
    return sendReview(command, expectedVersion);
  });
}
