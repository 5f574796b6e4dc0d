// With a token set, every write needs `Authorization: Bearer <token>`; reads stay
// open. Tokens are compared through their hashes, in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const digest = (text: string) => createHash('sha256').update(text).digest();

export function requireTokenForWrites(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request) => {
    if (!WRITES.has(request.method)) return;
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (match === null || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new HttpError(401, 'UNAUTHORIZED', 'writes need the header Authorization: Bearer <EVENTLINE_TOKEN>');
    }
  });
}
