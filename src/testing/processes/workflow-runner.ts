// A workflow process: runs the workflows a module exports against a store, with the
// system clock and its timer service, until it is killed, or stops cleanly on SIGTERM.
// Tests start several on one PostgreSQL schema to share timers, and kill -9 one of them.
// Usage: workflow-runner <store-url> <module> <process-name> [--timer-poll-ms <n>] [--timer-claim-ms <n>] [--fire-delay-ms <n>]
// The module exports `workflows` (an array) and `commands(store, processName)`.
// Each TimerFired this process appends is recorded, in the same transaction, in the
// read-model table `fired_by` (event_id, stream_id, process), which the caller creates;
// --fire-delay-ms holds each such transaction open that long, so a kill lands mid-batch.
// Prints "running" once started, and {"stopped": true} after a clean stop.

import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openEventStore } from '../../open/open-store.js';
import type { EventStore } from '../../store/event-store.js';
import type { Workflow } from '../../workflows/definition.js';
import { WorkflowEventTypes as T } from '../../workflows/events.js';
import { startWorkflows, type CommandHandler } from '../../workflows/runtime.js';
import { stopOnSigterm } from './lifecycle.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'timer-poll-ms': { type: 'string' }, 'timer-claim-ms': { type: 'string' }, 'fire-delay-ms': { type: 'string' } },
});
const [url, modulePath, processName] = positionals;
if (url === undefined || modulePath === undefined || processName === undefined) {
  console.error('usage: workflow-runner <store-url> <module> <process-name> [--timer-poll-ms <n>] [--timer-claim-ms <n>] [--fire-delay-ms <n>]');
  process.exit(2);
}

const module = (await import(pathToFileURL(resolve(modulePath)).href)) as { workflows?: Workflow[]; commands?: (store: EventStore, name: string) => Record<string, CommandHandler> };
if (!Array.isArray(module.workflows) || typeof module.commands !== 'function') {
  console.error(`workflow-runner: ${modulePath} exports no workflows and commands`);
  process.exit(2);
}

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const fireDelayMs = number(values['fire-delay-ms']) ?? 0;
const store = await openEventStore(url);
store.addAppendHook(async (events, readModels) => {
  const fired = events.filter((event) => event.type === T.timerFired);
  if (fired.length === 0) return;
  const db = readModels({ fired_by: store.readModels.table('fired_by') });
  for (const event of fired) await db.run('INSERT INTO {fired_by} (event_id, stream_id, process) VALUES ($1, $2, $3)', [event.eventId, event.streamId, processName]);
  if (fireDelayMs > 0) await sleep(fireDelayMs);
});
const running = startWorkflows(store, module.workflows, {
  commands: module.commands(store, processName),
  pollIntervalMs: 100,
  leaseRetryMs: 200,
  timerPollMs: number(values['timer-poll-ms']),
  timerClaimMs: number(values['timer-claim-ms']),
  logger: { warn: (message) => console.error(message) },
});
console.log('running');

stopOnSigterm(async () => {
  await running.stop();
  await store.close();
});
