// `eventline snapshots list | take | delete`: the snapshots a store keeps, one per
// stream. `take` folds a stream with a decider from the application's own module, so
// a snapshot can be taken (or rebuilt after a fix) without writing any code.

import { loadState, type StateFolder } from '../../commands/load-state.js';
import { ValidationError } from '../../core/errors.js';
import { assertName } from '../../core/validation.js';
import { MAX_SNAPSHOT_SCHEMA_VERSION } from '../../store/snapshot-store.js';
import { commandAction, stringValue } from '../args.js';
import type { Command, OptionValues, Task } from '../command.js';
import { UsageError } from '../errors.js';
import { printable } from '../format.js';
import { createTablePrinter } from '../table.js';
import { quote, wholeNumber } from '../values.js';
import { importUserModule } from '../user-module.js';

const COLUMNS = [
  { title: 'STREAM', align: 'left' },
  { title: 'VERSION', align: 'right' },
  { title: 'SCHEMA', align: 'right' },
  { title: 'BYTES', align: 'right' },
  { title: 'TAKEN', align: 'left' },
] as const;

/** The options each action takes; any other is a usage error. */
const ACTION_OPTIONS = { list: ['stream-prefix'], take: ['decider', 'schema-version'], delete: [] } as const;

export const snapshotsCommand: Command = {
  name: 'snapshots',
  summary: 'List, take or delete the snapshots of streams',
  synopsis: 'list [--stream-prefix <prefix>] | take <stream> --decider <module> [--schema-version <n>] | delete <stream>',
  positionals: ['action', 'stream?'],
  options: {
    'stream-prefix': { type: 'string' },
    decider: { type: 'string' },
    'schema-version': { type: 'string' },
  },
  optionHelp: [
    ['list', 'List the snapshots, in stream id order'],
    ['  --stream-prefix <prefix>', 'Only streams whose id starts with this text (taken literally)'],
    ['take <stream>', 'Fold the whole stream with a decider and save its state as the stream\'s snapshot'],
    ['  --decider <module>', 'An ES module (path from the current folder) exporting `decider`, or a default export,'],
    ['', 'with initialState() and evolve(); a .ts module needs tsx (NODE_OPTIONS="--import tsx")'],
    ['  --schema-version <n>', 'The snapshot\'s schema version. Default: the decider\'s snapshotSchemaVersion'],
    ['delete <stream>', 'Delete the stream\'s snapshot (the events stay); loads then fold the whole stream'],
  ],
  prints: 'list: one line per snapshot: stream, version, schema version, size of the state, when taken.\n' +
    'take: the version and schema version saved. delete: whether there was a snapshot.\n' +
    'With --json: list is NDJSON {"streamId","version","schemaVersion","bytes","takenAt"}; take\n' +
    'is {"streamId","version","schemaVersion","bytes","saved"}; delete is {"streamId","deleted"}.',
  examples: [
    'eventline snapshots list --stream-prefix post-',
    'NODE_OPTIONS="--import tsx" eventline snapshots take post-hello --decider examples/blog/index.ts',
    'eventline snapshots delete post-hello --json',
  ],

  async prepare({ values, positionals }) {
    const [actionText, streamId] = positionals as [string, string | undefined];
    const action = commandAction(snapshotsCommand, ACTION_OPTIONS, actionText, values);
    if (action === 'list') {
      if (streamId !== undefined) throw new UsageError(`snapshots list: unexpected argument ${JSON.stringify(streamId)}`);
      return listTask(stringValue(values, 'stream-prefix'));
    }
    if (streamId === undefined) throw new UsageError(`snapshots ${action} needs <stream>`);
    // Checked here, so a bad stream id never opens the store.
    assertName(streamId, 'stream');
    return action === 'take' ? takeTask(streamId, await loadDecider(values, 'snapshots take')) : deleteTask(streamId);
  },
};

function listTask(streamPrefix: string | undefined): Task {
  if (streamPrefix !== undefined) assertName(streamPrefix, 'stream-prefix');
  return async ({ store, out }) => {
    const table = createTablePrinter(COLUMNS, out.line);
    for await (const { streamId, version, schemaVersion, bytes, takenAt } of store.snapshots.list({ streamPrefix })) {
      const takenAtText = takenAt.toISOString();
      await (out.json
        ? out.record({ streamId, version, schemaVersion, bytes, takenAt: takenAtText })
        : table.row([printable(streamId), String(version), String(schemaVersion), String(bytes), takenAtText]));
    }
    if (out.json || (await table.end()) > 0) return;
    await out.line(streamPrefix === undefined ? 'the store has no snapshots' : `no snapshots of streams starting with '${printable(streamPrefix)}'`);
  };
}

export interface LoadedDecider {
  folder: StateFolder<unknown>;
  schemaVersion: number;
}

function takeTask(streamId: string, { folder, schemaVersion }: LoadedDecider): Task {
  return async ({ store, out }) => {
    // The whole stream, not the current snapshot: take also rebuilds a snapshot after a fix.
    const { state, version } = await loadState(store, streamId, folder);
    if (version === 0) throw new ValidationError('stream', `'${streamId}' has no events, so there is nothing to snapshot`);
    const saved = await store.snapshots.save({ streamId, version, schemaVersion, state });
    const bytes = Buffer.byteLength(JSON.stringify(state));
    if (out.json) {
      await out.record({ streamId, version, schemaVersion, bytes, saved });
    } else if (saved) {
      await out.line(`took a snapshot of ${printable(streamId)} at version ${version} (schema ${schemaVersion}, ${bytes} bytes)`);
    } else {
      await out.line(`kept the newer snapshot of ${printable(streamId)} already stored (schema ${schemaVersion})`);
    }
  };
}

function deleteTask(streamId: string): Task {
  return async ({ store, out }) => {
    const deleted = await store.snapshots.delete(streamId);
    if (out.json) await out.record({ streamId, deleted });
    else await out.line(deleted ? `deleted the snapshot of ${printable(streamId)}` : `stream '${printable(streamId)}' has no snapshot`);
  };
}

/**
 * Imports --decider and finds its decider and the state's schema version: --schema-version,
 * else the decider's snapshotSchemaVersion, else `fallbackSchemaVersion`. Every failure is
 * a usage error.
 */
export async function loadDecider(values: OptionValues, command: string, fallbackSchemaVersion?: number): Promise<LoadedDecider> {
  const path = stringValue(values, 'decider');
  if (path === undefined) throw new UsageError(`${command} needs --decider <module>`);
  const module = await importUserModule('decider', path);
  const candidate = (module.decider ?? module.default) as Partial<StateFolder<unknown>> & { snapshotSchemaVersion?: unknown } | undefined;
  if (typeof candidate?.initialState !== 'function' || typeof candidate.evolve !== 'function') {
    throw new UsageError(`--decider: ${quote(path)} exports no decider (export one as "decider" or as the default, with initialState and evolve)`);
  }
  const folder: StateFolder<unknown> = {
    initialState: candidate.initialState.bind(candidate),
    evolve: candidate.evolve.bind(candidate),
  };
  const versionText = stringValue(values, 'schema-version');
  if (versionText !== undefined) return { folder, schemaVersion: schemaVersion(versionText) };
  const declared = candidate.snapshotSchemaVersion;
  if (declared === undefined && fallbackSchemaVersion !== undefined) return { folder, schemaVersion: fallbackSchemaVersion };
  if (declared === undefined) throw new UsageError(`${command} needs --schema-version, or a snapshotSchemaVersion on the decider`);
  if (typeof declared !== 'number' || !Number.isSafeInteger(declared) || declared < 0 || declared > MAX_SNAPSHOT_SCHEMA_VERSION) {
    throw new UsageError(`--decider: snapshotSchemaVersion must be a whole number from 0 to ${MAX_SNAPSHOT_SCHEMA_VERSION}`);
  }
  return { folder, schemaVersion: declared };
}

function schemaVersion(text: string): number {
  const value = wholeNumber(text, 'schema-version', 0);
  if (value > MAX_SNAPSHOT_SCHEMA_VERSION) throw new UsageError(`--schema-version must be at most ${MAX_SNAPSHOT_SCHEMA_VERSION} (got ${quote(text)})`);
  return value;
}
