// The one place errors become HTTP answers. Every error the Lab sends is JSON
// `{ status, error, message, details }`: `status` the HTTP status again (for a body read
// apart from its response), `error` a stable code, `message` one line for people,
// `details` an object (the field, the versions). Never HTML, never a stack.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConcurrencyError,
  DomainError,
  DuplicateEventError,
  EventlineError,
  EventTooLargeError,
  NotFoundError,
  ProjectionBusyError,
  PruneRefusedError,
  StoreBusyError,
  StoreClosedError,
  ValidationError,
} from '../../src/index.js';

export interface ErrorBody {
  status: number;
  error: string;
  message: string;
  details: Record<string, unknown>;
}

/** An answer a route chooses to give: a status with its JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (message: string, details: Record<string, unknown> = {}) => new HttpError(404, 'NOT_FOUND', message, details);

/** Fastify's own 4xx errors, by code; any other 4xx it raises keeps its status as BAD_REQUEST. */
const FASTIFY_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than the limit'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'request bodies must be JSON (Content-Type: application/json)'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST', 'Content-Length does not match the body'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BAD_JSON', 'the request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BAD_JSON', 'the request body is empty'],
  FST_ERR_BAD_URL: [400, 'BAD_REQUEST', 'the URL is not valid'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG', 'a part of the URL is longer than 1000 characters'],
};

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The field a schema failure is about, named as in the request (`title`, `limit`, `body` for the whole body). */
function schemaFailure(issues: AjvError[], part: string | undefined): { field: string; reason: string } {
  const issue = issues[0];
  const where = part === 'querystring' ? 'query' : (part ?? 'body');
  if (!issue) return { field: where, reason: 'is not valid' };
  const path = issue.instancePath.split('/').filter(Boolean).join('.');
  const inside = (name: unknown) => (path === '' ? String(name) : `${path}.${String(name)}`);
  if (issue.keyword === 'required') return { field: inside(issue.params.missingProperty), reason: 'is required' };
  if (issue.keyword === 'additionalProperties') return { field: inside(issue.params.additionalProperty), reason: `is not a field of this request's ${where}` };
  if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues)) {
    return { field: path === '' ? where : path, reason: `must be one of ${issue.params.allowedValues.join(', ')}` };
  }
  return { field: path === '' ? where : path, reason: issue.message ?? 'is not valid' };
}

/** Maps anything thrown while answering to a status and body; unknown errors are 500 and say nothing more. */
export function toHttp(error: unknown): { status: number; body: ErrorBody } {
  const answer = (status: number, code: string, message: string, details: Record<string, unknown> = {}) => ({
    status,
    body: { status, error: code, message, details },
  });
  if (error instanceof HttpError) return answer(error.status, error.code, error.message, error.details);
  if (error instanceof EventTooLargeError) return answer(413, error.code, error.message, { field: error.field });
  if (error instanceof ValidationError) return answer(400, error.code, error.message, { field: error.field });
  if (error instanceof ConcurrencyError) {
    return answer(409, error.code, error.message, { streamId: error.streamId, expected: error.expected, actual: error.actual });
  }
  if (error instanceof NotFoundError) return answer(404, error.code, error.message);
  if (error instanceof DomainError) return answer(409, error.code, error.message);
  if (error instanceof DuplicateEventError) return answer(409, error.code, error.message);
  if (error instanceof ProjectionBusyError) return answer(409, error.code, error.message);
  // The message names the consumers a prune would strand (and their positions), never an event's content.
  if (error instanceof PruneRefusedError) {
    return answer(409, error.code, error.message, { reason: error.reason, consumers: [...error.consumers], streams: [...error.streams] });
  }
  if (error instanceof StoreBusyError || error instanceof StoreClosedError) return answer(503, error.code, error.message);

  const fastify = error as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(fastify.validation)) {
    const { field, reason } = schemaFailure(fastify.validation, fastify.validationContext);
    return answer(400, 'VALIDATION_FAILED', `${field}: ${reason}`, { field });
  }
  const known = fastify.code === undefined ? undefined : FASTIFY_ERRORS[fastify.code];
  if (known) return answer(...known);
  if (!(error instanceof EventlineError) && typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return answer(fastify.statusCode, 'BAD_REQUEST', 'the request is not valid');
  }
  return answer(500, 'INTERNAL', 'the Lab could not answer this request; see its log');
}

/** Installs the error and not-found handlers: the only places an error answer is sent. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toHttp(error);
    // Only what the Lab did not expect is worth a log line of its own, with the stack.
    if (status >= 500 && !(error instanceof EventlineError)) request.log.error({ err: error }, 'request failed');
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const { status, body } = toHttp(notFound(`no route ${request.method} ${path.slice(0, 200)}`));
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });
}
