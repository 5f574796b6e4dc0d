#!/usr/bin/env node
// Builds the Lab's page into dist/lab-ui: index.html, and assets/app.js and
// assets/app.css (minified, with source maps), which the Lab server serves as they are.
// Everything is bundled, so the page loads nothing from the internet.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const source = join(root, 'lab/ui');
const out = join(root, 'dist/lab-ui');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  // main.ts imports styles.css, so esbuild writes app.css beside app.js.
  entryPoints: { app: join(source, 'src/main.ts') },
  outdir: join(out, 'assets'),
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
copyFileSync(join(source, 'index.html'), join(out, 'index.html'));

for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file.padEnd(36)} ${(bytes / 1024).toFixed(1)} kB`);
}
