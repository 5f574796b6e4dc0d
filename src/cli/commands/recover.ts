// `eventline recover`: the operator's way out for a consumer (projection, workflow,
// outbox relay) whose checkpoint does not belong to the store: saved under another epoch
// (the store was restored or copied) or past its head. Each way says what it skips or
// repeats; the consumer starts again with its process (docs/operations.md).

import { ValidationError } from '../../core/errors.js';
import type { Projection } from '../../projections/projection.js';
import { rebuildProjection } from '../../projections/rebuild.js';
import { CHECKPOINT_TABLES, registeredConsumers, type Consumer } from '../../retention/consumers.js';
import { moveCheckpoint } from '../../store/checkpoint-epoch.js';
import type { EventStore } from '../../store/event-store.js';
import { stringValue } from '../args.js';
import type { Command, OptionValues, Task } from '../command.js';
import { UsageError } from '../errors.js';
import { createTablePrinter } from '../table.js';
import { quote } from '../values.js';
import { loadProjections } from '../user-module.js';

const KINDS = { projection: 'projection', workflow: 'workflow', outbox: 'outbox relay' } as const;

type Way = { action: 'accept' } | { action: 'reset'; toHead: boolean } | { action: 'rebuild'; projections: Projection[] };

const COLUMNS = [
  { title: 'KIND', align: 'left' },
  { title: 'NAME', align: 'left' },
  { title: 'POSITION', align: 'right' },
  { title: 'EPOCH', align: 'left' },
  { title: 'STATE', align: 'left' },
] as const;

export const recoverCommand: Command = {
  name: 'recover',
  summary: 'List the consumers\' checkpoints against the store, and recover one that does not belong to it',
  synopsis: '--list | <consumer> (--accept | --reset [--to-head] | --rebuild --projections <module>)',
  positionals: ['consumer?'],
  options: {
    list: { type: 'boolean' },
    accept: { type: 'boolean' },
    reset: { type: 'boolean' },
    'to-head': { type: 'boolean' },
    rebuild: { type: 'boolean' },
    projections: { type: 'string' },
  },
  optionHelp: [
    ['--list', 'Each consumer\'s position and epoch against the store\'s head and epoch, and whether it is stale'],
    ['<consumer>', 'A consumer\'s name, or kind:name (projection:, workflow:, outbox:) when names repeat'],
    ['--accept', 'Keep its position under the store\'s epoch: its state came back with the log (a restore'],
    ['', 'of the same backup). Not for a checkpoint past the head'],
    ['--reset --to-head', 'Move it to the head: the events in between are never seen by it'],
    ['--reset', 'Move it to 0: a workflow reads every input again (each one an instance took is'],
    ['', 'recognised and not taken twice); an outbox relay publishes every message again (under'],
    ['', 'its event id, which brokers and inboxes deduplicate). Not for a projection: use --rebuild'],
    ['--rebuild', 'Rebuild a projection from the first event, then swap it in (needs --projections <module>)'],
  ],
  prints: '--list: the store\'s epoch and head, then one line per consumer. Otherwise: what moved, and what it skips\n' +
    'or repeats. With --json: --list is NDJSON {"kind","name","position","checkpoint","epoch","storeEpoch","head","stale"};\n' +
    'otherwise {"kind","name","from","to","epoch"}.',
  examples: [
    'eventline recover --list',
    'eventline recover posts --rebuild --projections dist/projections.js',
    'eventline recover outbox:outbox --reset --to-head',
  ],

  async prepare({ values, positionals }) {
    const [consumer] = positionals as [string | undefined];
    const chosen = (['list', 'accept', 'reset', 'rebuild'] as const).filter((option) => values[option] === true);
    if (chosen.length !== 1) throw new UsageError('recover takes one of --list, --accept, --reset or --rebuild');
    if (values['to-head'] === true && chosen[0] !== 'reset') throw new UsageError('--to-head goes with --reset');
    if (stringValue(values, 'projections') !== undefined && chosen[0] !== 'rebuild') throw new UsageError('--projections goes with --rebuild');
    const action = chosen[0]!;
    if (action === 'list') {
      if (consumer !== undefined) throw new UsageError(`recover --list: unexpected argument ${quote(consumer)}`);
      return listTask();
    }
    if (consumer === undefined || consumer === '') throw new UsageError(`recover --${action} needs <consumer>`);
    return recoverTask(parseConsumer(consumer), await wayOf(action, values));
  },
};

async function wayOf(action: 'accept' | 'reset' | 'rebuild', values: OptionValues): Promise<Way> {
  if (action === 'accept') return { action };
  if (action === 'reset') return { action, toHead: values['to-head'] === true };
  const module = stringValue(values, 'projections');
  if (module === undefined) throw new UsageError('recover --rebuild needs --projections <module>, the module that exports them');
  return { action, projections: await loadProjections(module) };
}

interface Named {
  kind: Consumer['kind'] | undefined;
  name: string;
}

function parseConsumer(text: string): Named {
  const colon = text.indexOf(':');
  const prefix = colon === -1 ? undefined : text.slice(0, colon);
  if (prefix !== undefined && prefix in KINDS) return { kind: KINDS[prefix as keyof typeof KINDS], name: text.slice(colon + 1) };
  return { kind: undefined, name: text };
}

function listTask(): Task {
  return async ({ store, out }) => {
    const [epoch, head, consumers] = await Promise.all([store.epoch(), store.headPosition(), registeredConsumers(store)]);
    if (out.json) {
      for (const c of consumers) await out.record({ ...c, storeEpoch: epoch, head, stale: staleness(c, epoch, head) });
      return;
    }
    await out.line(`store epoch ${epoch}, head ${head}`);
    const table = createTablePrinter(COLUMNS, (text) => out.line(text.trimEnd()));
    for (const c of consumers) {
      const stale = staleness(c, epoch, head);
      const state = stale === 'epoch' ? 'stale: another epoch' : stale === 'ahead' ? 'stale: past the head' : c.epoch === null ? 'ok (adopts the epoch as it starts)' : 'ok';
      await table.row([c.kind, c.name, String(c.checkpoint), c.epoch ?? '-', state]);
    }
    await table.end();
  };
}

/** Why a checkpoint stops its consumer, or null when it does not. */
function staleness(c: Consumer, epoch: string, head: number): 'epoch' | 'ahead' | null {
  if (c.epoch !== null && c.epoch !== epoch) return 'epoch';
  return c.checkpoint > head ? 'ahead' : null;
}

function recoverTask(named: Named, way: Way): Task {
  return async ({ store, out }) => {
    const consumer = await findConsumer(store, named);
    const [epoch, head] = await Promise.all([store.epoch(), store.headPosition()]);
    const of = { kind: consumer.kind, name: consumer.name, table: CHECKPOINT_TABLES.find((t) => t.kind === consumer.kind)!.table };
    const { to, says } = await recover(store, consumer, way, head);
    await moveCheckpoint(store, of, to);
    const position = to ?? (await findConsumer(store, named)).checkpoint;
    if (out.json) return out.record({ kind: consumer.kind, name: consumer.name, from: consumer.checkpoint, to: position, epoch });
    await out.line(`${consumer.kind} ${consumer.name}: from position ${consumer.checkpoint} to ${position}, under epoch ${epoch}; ${says}`);
    await out.line('it starts again with its process');
  };
}

/** Carries out `way` (a rebuild runs here), and says where the checkpoint goes (undefined: where it is) and what that means. */
async function recover(store: EventStore, c: Consumer, way: Way, head: number): Promise<{ to: number | undefined; says: string }> {
  if (way.action === 'accept') {
    if (c.checkpoint > head) throw new ValidationError('accept', `${c.kind} ${c.name} is at ${c.checkpoint}, past the head ${head}: --reset or --rebuild instead`);
    return { to: undefined, says: 'it goes on from there' };
  }
  if (way.action === 'rebuild') {
    if (c.kind !== 'projection') throw new ValidationError('rebuild', `only a projection is rebuilt; ${c.kind} ${c.name} takes --reset`);
    const projection = way.projections.find((p) => p.name === c.name);
    if (!projection) throw new ValidationError('projections', `the module has no projection called ${quote(c.name)}`);
    const { events } = await rebuildProjection(store, projection);
    return { to: undefined, says: `rebuilt from the first event (${events} events) and swapped in` };
  }
  if (way.toHead) {
    const says =
      c.checkpoint < head
        ? `positions ${c.checkpoint + 1} to ${head} are skipped: it never sees those events`
        : c.checkpoint > head
          ? `positions ${head + 1} to ${c.checkpoint} are gone from the log; it takes events from ${head + 1} on`
          : 'it was at the head already';
    return { to: head, says };
  }
  if (c.kind === 'projection') {
    throw new ValidationError('reset', `projection ${c.name} keeps its rows: from 0 it would apply events twice; use --rebuild, or --reset --to-head`);
  }
  const says =
    c.kind === 'workflow'
      ? 'it reads every input again; each one an instance took already is recognised and not taken twice'
      : 'it publishes every message again, under its event id, which brokers and inboxes deduplicate';
  return { to: 0, says };
}

async function findConsumer(store: EventStore, { kind, name }: Named): Promise<Consumer> {
  const consumers = await registeredConsumers(store);
  const found = consumers.filter((c) => c.name === name && (kind === undefined || c.kind === kind));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    throw new ValidationError('consumer', `${found.map((c) => c.kind).join(' and ')} are both called ${quote(name)}: name one as projection:, workflow: or outbox:`);
  }
  const known = consumers.map((c) => `${c.kind} ${c.name}`).join(', ') || 'none';
  throw new ValidationError('consumer', `no consumer is called ${quote(name)}${kind ? ` (${kind})` : ''}; the store has ${known}`);
}

