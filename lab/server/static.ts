// The Lab's page: `/` is the built UI's index.html, `/assets/*` its files. Only files
// inside the assets folder are served; anything else is a JSON 404. Without a build,
// `/` says how to make one.

import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { notFound } from './errors.js';

export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/lab-ui/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eventline Lab</title></head>
<body><h1>Eventline Lab</h1><p>The Lab's page has not been built yet. Run <code>npm run build</code>, then reload.</p>
<p>The API answers meanwhile: try <a href="/api/health">/api/health</a>.</p></body></html>
`;

const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' };

export function staticRoutes(app: FastifyInstance, uiDir = DEFAULT_UI_DIR): void {
  const assets = resolve(uiDir, 'assets');

  app.get('/', async (_request, reply) => {
    const html = await readFile(join(uiDir, 'index.html')).catch(() => undefined);
    reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8');
    return html ?? NOT_BUILT;
  });

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const wanted = request.params['*'];
    // The router has decoded the path; a resolved path must still lie inside the folder.
    const path = resolve(assets, wanted);
    const missing = () => notFound(`no asset ${JSON.stringify(wanted.slice(0, 200))}`);
    if (wanted.includes('\0') || !path.startsWith(assets + sep)) throw missing();
    const file = await stat(path).catch(() => undefined);
    if (!file?.isFile()) throw missing();
    reply.headers(SECURITY_HEADERS).type(CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream');
    return readFile(path);
  });
}
