// A projection runner process: runs the projections a module exports against a store
// until it is killed, or stops cleanly on SIGTERM. Tests start several to compete for
// the same projections, and kill -9 them in the middle of their work.
// Usage: projector <store-url> <module> [--inline] [--batch-size <n>]
// The module exports `projections` (an array), or the array as its default export.
// Prints "running" once started, and {"stopped": true} after a clean stop.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Projection } from '../../projections/projection.js';
import { startProjections } from '../../projections/host.js';
import { openEventStore } from '../../open/open-store.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { inline: { type: 'boolean' }, 'batch-size': { type: 'string' } },
});
const [url, modulePath] = positionals;
if (url === undefined || modulePath === undefined) {
  console.error('usage: projector <store-url> <module> [--inline] [--batch-size <n>]');
  process.exit(2);
}

const module = (await import(pathToFileURL(resolve(modulePath)).href)) as { projections?: unknown; default?: unknown };
const projections = (module.projections ?? module.default) as Projection[];
if (!Array.isArray(projections) || projections.length === 0) {
  console.error(`projector: ${modulePath} exports no projections`);
  process.exit(2);
}

const store = await openEventStore(url);
const running = startProjections(store, projections, {
  inline: values.inline ? projections.map((p) => p.name) : [],
  batchSize: values['batch-size'] === undefined ? undefined : Number(values['batch-size']),
  logger: { warn: (message) => console.error(message) },
});
console.log('running');

process.once('SIGTERM', () => {
  void (async () => {
    await running.stop();
    await store.close();
    console.log(JSON.stringify({ stopped: true }));
  })();
});
