// Before deploying a changed workflow: every unfinished instance's recorded steps are
// decided again by the new definition, each on the state the new evolve folds from the
// recorded history, and compared with what was recorded. An instance whose outputs or
// state would differ is listed, with the first step where it does.

import { ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import type { EventStore } from '../store/event-store.js';
import type { Workflow } from './definition.js';
import { WorkflowEventTypes as T, type InputRef } from './events.js';
import { applyEvent, emptyInstance, ENDED, type Instance } from './instance.js';
import { canonicalJson, planStep, stateHash, type StepInput } from './plan.js';
import { ensureTables, instances, tablesOf } from './tables.js';

export interface VerifyDifference {
  streamId: string;
  /** The position of the first event of the step that differs. */
  position: number;
  kind: 'outputs' | 'state' | 'error';
  /** Types of the events recorded for the step, and of those the new definition decides (for `state`: the two hashes). */
  recorded: string[];
  decided: string[];
}

export interface VerifyReport {
  checked: number;
  differences: VerifyDifference[];
}

export async function verifyInstances(store: EventStore, candidates: readonly Workflow[]): Promise<VerifyReport> {
  if (!Array.isArray(candidates) || candidates.length === 0) throw new ValidationError('workflows', 'must list at least one workflow');
  const readModels = store.readModels;
  await ensureTables(readModels);
  const report: VerifyReport = { checked: 0, differences: [] };
  for (const candidate of candidates) {
    if (typeof candidate?.hash !== 'string') throw new ValidationError('workflows', 'must be made with defineWorkflow');
    let after: string | undefined;
    for (;;) {
      const page = await readModels.transaction(tablesOf(readModels), (db) => instances.list(db, { workflow: candidate.name, limit: 500, after }));
      for (const row of page) {
        if (ENDED.has(row.status as never)) continue;
        report.checked++;
        const difference = verifyOne(candidate, row.streamId, await store.readStream(row.streamId));
        if (difference) report.differences.push(difference);
      }
      if (page.length < 500) break;
      after = page.at(-1)!.streamId;
    }
  }
  return report;
}

/** The first step of one instance that the candidate decides otherwise, if any. */
export function verifyOne(candidate: Workflow, streamId: string, events: readonly RecordedEvent[]): VerifyDifference | undefined {
  const pick = () => candidate;
  const replay = emptyInstance(streamId, candidate.name, candidate);
  const steps = groupSteps(events);
  for (const step of steps) {
    const input = stepInputOf(step);
    if (input) {
      const clone = cloneInstance(replay);
      const recorded = step.events.map((e) => e.type);
      try {
        const plan = planStep(clone, input.input, input.now, pick, pick);
        const decided = plan?.events.map((e) => e.type) ?? [];
        const same = plan !== undefined && plan.events.length === step.events.length && plan.events.every((e, i) => sameEvent(e, step.events[i]!));
        if (!same) return { streamId, position: step.events[0]!.position, kind: 'outputs', recorded, decided };
        const recordedHash = (step.events.at(-1)!.metadata as { stateAfter?: string } | undefined)?.stateAfter;
        const decidedHash = stateHash(clone.state);
        if (recordedHash && recordedHash !== decidedHash) return { streamId, position: step.events[0]!.position, kind: 'state', recorded: [recordedHash], decided: [decidedHash] };
      } catch (error) {
        return { streamId, position: step.events[0]!.position, kind: 'error', recorded, decided: [error instanceof Error ? error.message : String(error)] };
      }
    }
    for (const event of step.events) applyEvent(replay, event, pick);
  }
  return undefined;
}

interface RecordedStep {
  events: RecordedEvent[];
}

/** Events that start a step; the WorkflowInputReceived right after WorkflowStarted belongs to its step. */
const STARTS = new Set<string>([T.started, T.inputReceived, T.inputIgnored, T.timerFired, T.commandDone, T.inputResumed, T.parked, T.retried]);

function groupSteps(events: readonly RecordedEvent[]): RecordedStep[] {
  const steps: RecordedStep[] = [];
  for (const event of events) {
    const continuesStart = event.type === T.inputReceived && steps.at(-1)?.events.at(-1)?.type === T.started;
    const parkOfStep = event.type === T.parked && steps.length > 0 && (steps.at(-1)!.events.at(-1)!.data as { deferred?: boolean }).deferred === true;
    if (STARTS.has(event.type) && !continuesStart && !parkOfStep) steps.push({ events: [event] });
    else if (steps.length > 0) steps.at(-1)!.events.push(event);
    else steps.push({ events: [event] });
  }
  return steps;
}

/** The input a recorded step was decided on, and the time it was decided at; undefined for steps nothing decided. */
function stepInputOf(step: RecordedStep): { input: StepInput; now: number } | undefined {
  const first = step.events[0]!;
  const decisive = first.type === T.started ? step.events[1] : first;
  if (!decisive) return undefined;
  const data = decisive.data as Record<string, unknown>;
  if (data.deferred === true || typeof data.decidedAt !== 'string') return undefined;
  const now = Date.parse(data.decidedAt);
  switch (decisive.type) {
    case T.inputReceived: {
      const ref = data.input as InputRef;
      const event: RecordedEvent = { ...ref, version: 0, metadata: undefined, recordedAt: new Date(now) };
      return { input: { kind: 'event', event }, now };
    }
    case T.timerFired:
      return { input: { kind: 'timer', timerId: data.timerId as string }, now: Date.parse(data.firedAt as string) };
    case T.commandDone:
      return { input: { kind: 'commandDone', commandId: data.commandId as string, outcome: data.outcome as 'succeeded', reason: (data.reason as string | null) ?? null }, now };
    case T.inputResumed:
      return { input: { kind: 'resume' }, now };
    default:
      return undefined;
  }
}

function sameEvent(planned: { eventId?: string; type: string; data: unknown }, recorded: RecordedEvent): boolean {
  if (planned.eventId !== recorded.eventId || planned.type !== recorded.type) return false;
  // The start names the definition it ran on: a new definition always names another.
  return planned.type === T.started || canonicalJson(planned.data) === canonicalJson(recorded.data);
}

function cloneInstance<State>(instance: Instance<State>): Instance<State> {
  return {
    ...instance,
    state: structuredClone(instance.state),
    recorded: new Set(instance.recorded),
    pending: instance.pending.map((p) => ({ ...p })),
    timers: new Map([...instance.timers].map(([id, t]) => [id, { ...t }])),
    commands: new Map([...instance.commands].map(([id, c]) => [id, { ...c }])),
  };
}
