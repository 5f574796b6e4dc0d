// Eventline's layers, as an ESLint rule: each relative import is resolved to the part of
// the repository it lands in, and a part imports only from the layers below its own
// that it builds on, and from the parts of its own layer it declares here. The table
// below is the one statement of the order; docs/architecture.md explains it.

import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The layers, lowest first. `parts` maps each part (a folder, or a file for `src/index.ts` and `src/storage.ts`)
 * to the parts of the same layer it may import; `builds` lists the lower layers its parts
 * may import (default: every lower layer); `through` restricts imports of `src/` to the
 * public entry points.
 */
export const LAYERS = [
  // Event schemas and upcasting: pure, applied by the store as it decodes. Telemetry:
  // OpenTelemetry when it is installed and registered, used by the store and the parts above.
  { name: 'core', parts: { 'src/core': [], 'src/evolution': ['src/core'], 'src/telemetry': [] } },
  { name: 'store', parts: { 'src/store': [] } },
  {
    name: 'stores',
    parts: {
      // Shared by the stores: event ids, rows, change watchers, URL parameters.
      'src/stores': [],
      // better-sqlite3: the driver, the connection lock, read models (in memory too).
      'src/stores/sqlite-db': [],
      'src/stores/memory': ['src/stores', 'src/stores/sqlite-db'],
      'src/stores/sqlite': ['src/stores', 'src/stores/sqlite-db'],
      'src/stores/postgres': ['src/stores', 'src/stores/sqlite-db'],
    },
  },
  // openEventStore(url): the one part that knows every store.
  { name: 'open', parts: { 'src/open': [] } },
  {
    // They reach a store only through the EventStore interface, never a concrete store.
    name: 'application parts',
    builds: ['core', 'store'],
    parts: {
      'src/snapshots': [],
      'src/commands': ['src/snapshots'],
      'src/aggregates': ['src/commands', 'src/snapshots'],
      'src/projections': [],
      'src/queries': ['src/commands', 'src/projections'],
      'src/workflows': [],
      // Retention reads the checkpoints that projections, workflows and the outbox relay keep.
      'src/retention': ['src/projections', 'src/workflows'],
      // A backup's manifest lists the consumers' checkpoints, as retention finds them.
      'src/backup': ['src/retention'],
      'src/privacy': [],
      // A copy into another store translates the checkpoints of projections, workflows and the outbox relay.
      'src/copy': ['src/projections', 'src/workflows'],
      // Where a process finds the KEK (the environment, a key file): shared by the CLI and the Lab.
      'src/kek': ['src/privacy'],
    },
  },
  { name: 'faces', parts: { 'src/cli': [], 'src/testing': [], 'src/index.ts': [], 'src/storage.ts': [] } },
  { name: 'examples', parts: { examples: [] }, through: ['src/index.ts', 'src/testing/index.ts'] },
  // The Lab serves the blog example's domain.
  { name: 'lab', parts: { lab: [] } },
];

const ORDER = LAYERS.map((layer) => (layer.name === 'faces' ? 'faces (cli, testing, index.ts, storage.ts)' : layer.name)).join(' → ');

const layerOf = new Map(LAYERS.flatMap((layer, rank) => Object.keys(layer.parts).map((part) => [part, { ...layer, rank }])));

/** The part a repository path (with `/`) belongs to: its folder under src/ (src/stores/<kind> for a store), else its top folder. */
export function partOf(path) {
  const segments = path.split('/');
  if (segments[0] !== 'src') return segments.length > 1 ? segments[0] : path;
  if (segments.length === 2) return path;
  if (segments[1] === 'stores' && segments.length > 3) return `src/stores/${segments[2]}`;
  return `src/${segments[1]}`;
}

/** Why `from` may not import `to` (repository paths, .ts), or undefined when it may. */
export function layerProblem(from, to) {
  const fromPart = partOf(from);
  const toPart = partOf(to);
  if (fromPart === toPart) return undefined;
  const fromLayer = layerOf.get(fromPart);
  if (fromLayer === undefined) return fromPart.startsWith('src') ? `${fromPart} is in no layer: add it to eslint/layers.js` : undefined;
  const toLayer = layerOf.get(toPart);
  const refuse = () => `${fromPart} may not import ${toPart}: layers run ${ORDER}; ${fromPart} builds on ${buildsOn(fromPart, fromLayer)}`;
  if (toLayer === undefined) return toPart.startsWith('src') ? `${toPart} is in no layer: add it to eslint/layers.js` : refuse();
  if (toLayer.rank === fromLayer.rank) return fromLayer.parts[fromPart].includes(toPart) ? undefined : refuse();
  if (toLayer.rank > fromLayer.rank || !(fromLayer.builds ?? [toLayer.name]).includes(toLayer.name)) return refuse();
  if (fromLayer.through && to.startsWith('src/') && !fromLayer.through.includes(to)) {
    return `${fromPart} may import src/ only through ${fromLayer.through.join(' and ')}, not ${to}`;
  }
  return undefined;
}

function buildsOn(part, layer) {
  const lower = layer.builds ?? LAYERS.slice(0, layer.rank).map((l) => l.name);
  const all = [...lower, ...layer.parts[part]];
  if (all.length === 0) return 'nothing else';
  return all.length === 1 ? all[0] : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}

/** A path relative to the repository, with `/`, and a `.js` import of a TypeScript module named `.ts`. */
function repositoryPath(absolute) {
  return relative(ROOT, absolute).split(sep).join('/').replace(/\.js$/, '.ts');
}

export default {
  meta: {
    type: 'problem',
    docs: { description: "Imports follow Eventline's layers (eslint/layers.js)" },
    schema: [],
  },
  create(context) {
    const from = repositoryPath(context.filename);
    if (from.startsWith('..')) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = repositoryPath(resolve(dirname(context.filename), source));
      const problem = layerProblem(from, to);
      if (problem !== undefined) context.report({ node, message: problem });
    };
    const literal = (node) => (node?.type === 'Literal' ? node.value : undefined);
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, literal(node.source)),
      // `typeof import('…')` in a type.
      TSImportType: (node) => check(node, literal(node.argument?.literal ?? node.argument)),
    };
  },
};
