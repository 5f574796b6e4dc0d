#!/usr/bin/env node
// Bundles the Lab server (lab/main.ts, with src/, the blog, Fastify, and the PostgreSQL
// and NATS clients) into dist/lab/main.js, so the Lab image runs it with plain `node`
// and the package's production dependencies only. better-sqlite3 stays outside: it
// loads a native addon from its own folder. The page is built apart (build-ui.js) into
// dist/lab-ui, which the server finds beside dist/lab.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = join(root, 'dist/lab');

rmSync(out, { recursive: true, force: true });

const result = await build({
  entryPoints: [join(root, 'lab/main.ts')],
  outfile: join(out, 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // pg-native is pg's optional native driver, never asked for.
  external: ['better-sqlite3', 'pg-native'],
  // The CommonJS packages in the bundle (Fastify, pg) call require() for Node's modules.
  banner: { js: "import { createRequire as __labRequire } from 'node:module'; const require = __labRequire(import.meta.url);" },
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});

for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file.padEnd(36)} ${(bytes / 1024).toFixed(1)} kB`);
}
