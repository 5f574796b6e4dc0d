// The blog's authors over HTTP, and the faces of erasure: registering an author (their
// name and email sealed under keys of their own), reading them back, the subject-access
// export of everything the store holds about them, and forgetting them (their keys
// destroyed, a signed receipt in the log). Posts show their author through authorJson.
//
// Names and emails are personal data: no error message here repeats one (the blog's
// checks name only the field), and the request log line holds the path, where an author
// appears only by their surrogate id. A path id that is not one (an email, say) is
// refused before anything is read, and logged as the route (index.ts).

import type { FastifyInstance } from 'fastify';
import { DomainError, NotFoundError, type ErasureReceipt } from '../../src/index.js';
import { authorStreamId, forgetAuthor, handleAuthorCommand, newAuthorId, parseAuthorId, type AuthorView } from '../../examples/blog/index.js';
import type { PostView } from '../../examples/blog/read-side/index.js';
import type { AuthorJson, ErasureReceiptJson, PostAuthorJson, PostJson, SubjectExportJson } from '../api-types.js';
import type { LabContext } from './context.js';
import { eventJson, idParams, postJson, readInt } from './json.js';

const registerBody = {
  type: 'object',
  required: ['name', 'email'],
  additionalProperties: false,
  // The blog checks the values (a surrogate id, a name of one line, an email's shape).
  properties: { authorId: { type: 'string', maxLength: 100 }, name: { type: 'string' }, email: { type: 'string' } },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,16}$' }, after: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
const noBody = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const;

interface RegisterBody {
  authorId?: string;
  name: string;
  email: string;
}

/** The paths whose `:id` is an author id, and so must be a surrogate id. */
export const AUTHOR_PATHS = ['/api/authors/:id', '/api/authors/:id/export', '/api/authors/:id/forget'] as const;

const authorDoesNotExist = () => new NotFoundError('Author does not exist');

/**
 * The path a request's log line shows: under /api/authors/, the route itself unless the
 * id is a surrogate id, so an email typed where the id goes never reaches the log.
 */
export function loggedPath(route: string | undefined, path: string, params: unknown): string {
  if (!path.startsWith('/api/authors/')) return path;
  // No route matched: whatever follows may be anything typed.
  if (!(AUTHOR_PATHS as readonly (string | undefined)[]).includes(route)) return route ?? '/api/authors/…';
  try {
    parseAuthorId((params as { id?: unknown } | undefined)?.id);
    return path;
  } catch {
    return route!;
  }
}

export function authorJson(view: AuthorView): AuthorJson {
  return view.forgotten ? { authorId: view.authorId, erased: true } : { authorId: view.authorId, name: view.name, email: view.email ?? '' };
}

/** A post's author as the list and the post show them: the name, the placeholder, or unknown. */
export function postAuthorJson(authorId: string, view: AuthorView | undefined): PostAuthorJson {
  if (view === undefined) return { authorId, unknown: true };
  return view.forgotten ? { authorId, erased: true } : { authorId, name: view.name };
}

/** Posts as JSON, each with its author from the `authors` read model (one look-up per author). */
export async function postsJson(lab: LabContext, posts: readonly PostView[]): Promise<PostJson[]> {
  const ids = [...new Set(posts.map((post) => post.authorId))];
  const views = new Map(await Promise.all(ids.map(async (id) => [id, await lab.authors.author(id)] as const)));
  return posts.map((post) => postJson(post, postAuthorJson(post.authorId, views.get(post.authorId))));
}

/**
 * The author a new post may name: registered and not forgotten, as their stream says (the
 * read model might not have another process's registration yet). A NotFoundError or a
 * DomainError, as the blog's own commands give, so the answers are 404 and 409.
 */
export async function assertAuthorMayWrite(lab: LabContext, authorId: string): Promise<void> {
  const status = await authorStatus(lab, parseAuthorId(authorId));
  if (status === 'absent') throw authorDoesNotExist();
  if (status === 'forgotten') throw new DomainError('Author was forgotten');
}

/** Whether the author's stream holds a registration, and a forget. */
async function authorStatus(lab: LabContext, authorId: string): Promise<'absent' | 'active' | 'forgotten'> {
  const events = await lab.store.readStream(authorStreamId(authorId));
  if (!events.some((e) => e.type === 'AuthorRegistered')) return 'absent';
  return events.some((e) => e.type === 'AuthorForgotten') ? 'forgotten' : 'active';
}

export function authorRoutes(app: FastifyInstance, lab: LabContext): void {
  app.post<{ Body: RegisterBody }>('/api/authors', { schema: { body: registerBody } }, async (request, reply) => {
    const { authorId = newAuthorId(), name, email } = request.body;
    const result = await handleAuthorCommand(lab.store, { type: 'RegisterAuthor', authorId, name, email });
    await lab.readYourWrites(result.lastPosition);
    reply.code(201);
    return { authorId, version: result.nextExpectedVersion, position: result.lastPosition, events: result.events.map(eventJson) };
  });

  app.get<{ Querystring: { limit?: string; after?: string } }>('/api/authors', { schema: { querystring: listQuery } }, async (request) => {
    const limit = readInt(request.query.limit, 'limit', { min: 1, max: 1000, default: 100 });
    const { after } = request.query;
    // One more than asked, to know whether there is a next page.
    const views = await lab.authors.authors({ limit: limit + 1, ...(after !== undefined && { after }) });
    const items = views.slice(0, limit);
    return { items: items.map(authorJson), nextCursor: views.length > limit ? items.at(-1)!.authorId : null };
  });

  app.get<{ Params: { id: string } }>(AUTHOR_PATHS[0], { schema: { params: idParams, querystring: noQuery } }, async (request) => {
    const view = await lab.authors.author(parseAuthorId(request.params.id));
    if (view === undefined) throw authorDoesNotExist();
    return authorJson(view);
  });

  app.get<{ Params: { id: string } }>(AUTHOR_PATHS[1], { schema: { params: idParams, querystring: noQuery } }, async (request): Promise<SubjectExportJson> => {
    const authorId = parseAuthorId(request.params.id);
    if ((await authorStatus(lab, authorId)) === 'absent') throw authorDoesNotExist();
    const found = await lab.privacy.exportSubject(lab.store, authorId);
    return { subjectHash: found.subjectHash, forgotten: found.forgotten === 'all' ? 'all' : [...found.forgotten], fields: found.fields };
  });

  // Forgetting again answers the same receipt and writes nothing.
  app.post<{ Params: { id: string }; Body: Record<string, never> | null }>(
    AUTHOR_PATHS[2],
    { schema: { params: idParams, querystring: noQuery, body: noBody } },
    async (request): Promise<{ authorId: string; receipt: ErasureReceiptJson }> => {
      const authorId = parseAuthorId(request.params.id);
      const { receipt, lastPosition } = await forgetAuthor(lab.store, lab.privacy, authorId);
      await lab.readYourWrites(lastPosition);
      return { authorId, receipt: receiptJson(receipt) };
    },
  );
}

function receiptJson(receipt: ErasureReceipt): ErasureReceiptJson {
  return { ...receipt, categories: receipt.categories === null ? null : [...receipt.categories], keyIds: [...receipt.keyIds] };
}
