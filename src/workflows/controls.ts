// What an operator asks of workflows: which instances there are, one instance's whole
// story (inputs, outputs, timers, a parked error), a retry of a parked instance, and
// a check of a new definition against the instances still running.

import { DomainError, NotFoundError, ValidationError } from '../core/errors.js';
import { uuidv7 } from '../core/uuid.js';
import { assertCount } from '../core/validation.js';
import type { EventStore } from '../store/event-store.js';
import { WorkflowRegistry, type Workflow } from './definition.js';
import { instanceIdOf, OUTBOX_MESSAGE, WorkflowEventTypes as T } from './events.js';
import { foldInstance, type CommandView, type InstanceStatus, type TimerView } from './instance.js';
import { ensureTables, instances, tablesOf, type InstanceRow } from './tables.js';
import { verifyInstances, type VerifyReport } from './verify.js';

export type WorkflowSummary = InstanceRow;

export interface WorkflowStep {
  position: number;
  version: number;
  type: string;
  data: unknown;
  recordedAt: Date;
}

export interface WorkflowDetail {
  streamId: string;
  workflow: string;
  instanceId: string;
  status: InstanceStatus;
  version: number | null;
  definitionHash: string | null;
  /** The state folded by the definition of its version, when this process has it. */
  state: unknown;
  /** Why it is parked, and what to retry. */
  error: string | null;
  /** Why it failed or compensated. */
  reason: string | null;
  inputs: (WorkflowStep & { status: 'decided' | 'waiting' | 'ignored' })[];
  outputs: WorkflowStep[];
  timers: TimerView[];
  commands: CommandView[];
  /** Every event of the instance's stream, in order. */
  events: WorkflowStep[];
}

export interface WorkflowControls {
  /** Instances from the index, in stream id order. */
  list(filter?: { workflow?: string; status?: string; limit?: number; after?: string }): Promise<WorkflowSummary[]>;
  /** How many instances are in each status. */
  counts(): Promise<Record<string, number>>;
  /** One instance by its stream id (`workflow-<name>-<id>`); NotFoundError when there is none. */
  show(streamId: string): Promise<WorkflowDetail>;
  /** Sets a parked instance going again: its waiting inputs and commands are taken in order. DomainError when it is not parked. */
  retry(streamId: string): Promise<void>;
  /** Replays the recorded inputs of every unfinished instance through `candidates` and lists those whose outputs or state would differ. */
  verify(candidates: readonly Workflow[]): Promise<VerifyReport>;
}

const STATUSES = new Set(['running', 'completed', 'failed', 'compensating', 'compensated', 'parked']);
const OUTPUTS = new Set<string>([T.commandSent, OUTBOX_MESSAGE, T.timerScheduled, T.timerCancelled, T.completed, T.failed, T.compensating, T.compensated]);

/** `workflows` may be empty: listing, counting and retrying need no definition; `show` folds the state only of the workflows given. */
export function workflowControls(store: EventStore, workflows: readonly Workflow[] = []): WorkflowControls {
  const registry = Array.isArray(workflows) && workflows.length === 0 ? undefined : new WorkflowRegistry(workflows);
  const readModels = store.readModels;
  const tables = tablesOf(readModels);

  function parse(streamId: unknown): { workflow: string } {
    const match = typeof streamId === 'string' ? /^workflow-([a-z][a-z0-9_]*)-(.+)$/.exec(streamId) : null;
    if (!match) throw new ValidationError('id', 'must be a workflow instance stream id, workflow-<name>-<id>');
    return { workflow: match[1]! };
  }

  return {
    async list(filter = {}) {
      const { workflow, status, limit = 100, after } = filter;
      assertCount(limit, 'limit', 1, 1000);
      if (status !== undefined && !STATUSES.has(status)) throw new ValidationError('status', `must be one of ${[...STATUSES].join(', ')}`);
      await ensureTables(readModels);
      return readModels.transaction(tables, (db) => instances.list(db, { workflow, status, limit, after }));
    },

    async counts() {
      await ensureTables(readModels);
      return readModels.transaction(tables, (db) => instances.counts(db));
    },

    async show(streamId) {
      const { workflow } = parse(streamId);
      const events = await store.readStream(streamId);
      if (events.length === 0) throw new NotFoundError(`no workflow instance ${streamId}`);
      const instance = foldInstance(streamId, workflow, events, (v) => (registry?.has(workflow) ? registry.version(workflow, v) : undefined), undefined);
      const step = ({ position, version, type, data, recordedAt }: (typeof events)[number]): WorkflowStep => ({ position, version, type, data, recordedAt });
      const inputs: WorkflowDetail['inputs'] = [];
      const resumed = new Set(events.filter((e) => e.type === T.inputResumed).map((e) => (e.data as { recordedId: string }).recordedId));
      for (const event of events) {
        const data = event.data as Record<string, unknown>;
        const waiting = data.deferred === true && !resumed.has(event.eventId);
        if (event.type === T.inputReceived) inputs.push({ ...step(event), type: (data.input as { type: string }).type, data: (data.input as { data: unknown }).data, status: waiting ? 'waiting' : 'decided' });
        else if (event.type === T.inputIgnored) inputs.push({ ...step(event), type: (data.input as { type: string }).type, data: (data.input as { data: unknown }).data, status: 'ignored' });
        else if (event.type === T.timerFired || event.type === T.commandDone) inputs.push({ ...step(event), status: waiting ? 'waiting' : 'decided' });
      }
      return {
        streamId,
        workflow,
        instanceId: instanceIdOf(workflow, streamId),
        status: instance.status,
        version: instance.definitionVersion,
        definitionHash: instance.definitionHash,
        state: instance.definition ? instance.state : null,
        error: instance.parkedError,
        reason: instance.endReason,
        inputs,
        outputs: events.filter((e) => OUTPUTS.has(e.type)).map(step),
        timers: [...instance.timers.values()],
        commands: [...instance.commands.values()],
        events: events.map(step),
      };
    },

    async retry(streamId) {
      const { workflow } = parse(streamId);
      const events = await store.readStream(streamId);
      if (events.length === 0) throw new NotFoundError(`no workflow instance ${streamId}`);
      const instance = foldInstance(streamId, workflow, events, () => undefined, undefined);
      if (instance.status !== 'parked') throw new DomainError(`workflow instance ${streamId} is not parked (it is ${instance.status})`);
      await store.appendToStream(streamId, [{ type: T.retried, data: { at: new Date().toISOString() }, eventId: uuidv7() }], { expectedVersion: instance.streamVersion });
    },

    verify(candidates) {
      return verifyInstances(store, candidates);
    },
  };
}
