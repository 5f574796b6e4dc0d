// Given/when/then for a workflow definition, without a store: each input is planned by
// the runtime's own planner on the instance folded from the events recorded so far,
// so what a spec shows (outputs, deterministic ids, timers due and cancelled,
// compensation order, late inputs, isTerminal) is what the runtime records.

import assert from 'node:assert/strict';
import type { JsonValue, RecordedEvent } from '../core/events.js';
import { assertJsonFaithful, copyJson } from '../core/json.js';
import { derivedId } from '../core/uuid.js';
import type { Workflow, WorkflowInput } from '../workflows/definition.js';
import { OUTBOX_MESSAGE, workflowStreamId, WorkflowEventTypes as T, type CommandSentData, type TimerScheduledData } from '../workflows/events.js';
import { foldInstance, type CommandView, type Instance, type InstanceStatus, type TimerView } from '../workflows/instance.js';
import type { WorkflowOutput } from '../workflows/outputs.js';
import { DecideError, planStep, type StepInput } from '../workflows/plan.js';
import type { ExpectedError } from './decider-spec.js';

/** An output as a spec compares it: what send, publish, schedule (with its due time), cancel, complete, fail and compensate make, or the end of a compensation. */
export type WorkflowSpecOutput = WorkflowOutput | { kind: 'compensated' };

/** An event from the log, as the workflow consumes it; the spec names its stream, id and position when not given. */
export interface SpecEvent {
  type: string;
  data?: unknown;
  streamId?: string;
  eventId?: string;
}

const SPEC = Symbol('workflowSpec');

/** Something other than an event that happens to an instance: a command's outcome, or the clock moving (which fires due timers). */
export type SpecHappening =
  | { [SPEC]: 'commandDone'; commandType: string; outcome: 'succeeded' | 'rejected'; reason: string | null }
  | { [SPEC]: 'clock'; by: number | null; to: number | null };

export type SpecInput = SpecEvent | SpecHappening;

/** The oldest pending command of this type, of the instance the latest event went to, succeeded. */
export function commandSucceeded(commandType: string): SpecHappening {
  return { [SPEC]: 'commandDone', commandType, outcome: 'succeeded', reason: null };
}

/** The oldest pending command of this type was refused by its handler (a DomainError with `reason`). */
export function commandRejected(commandType: string, reason: string): SpecHappening {
  return { [SPEC]: 'commandDone', commandType, outcome: 'rejected', reason };
}

/** The clock moves on by `ms`; every timer due by then fires, earliest first. */
export function clockMovedBy(ms: number): SpecHappening {
  return { [SPEC]: 'clock', by: ms, to: null };
}

/** The clock moves to `at`; every timer due by then fires, earliest first. */
export function clockMovedTo(at: Date | string | number): SpecHappening {
  return { [SPEC]: 'clock', by: null, to: new Date(at).getTime() };
}

/** What the `when` did, for `then` given a function. */
export interface WorkflowSpecResult<State> {
  /** The instance the latest event went to, or null when no event started one. */
  streamId: string | null;
  status: InstanceStatus;
  state: State;
  /** The events the `when` recorded, in every instance it reached, with their deterministic ids. */
  events: RecordedEvent[];
  timers: TimerView[];
  commands: CommandView[];
  /** Inputs that came after the instance ended: recorded as ignored, and told to onLate. */
  late: WorkflowInput[];
}

export interface WorkflowThen<State> {
  /** The `when` records exactly these outputs ([] for none), or passes them to a function with the state. */
  then(expected: readonly WorkflowSpecOutput[] | ((outputs: WorkflowSpecOutput[], state: State, result: WorkflowSpecResult<State>) => void)): void;
  /** The instance's state after the `when` deep-equals this, or passes the function. */
  thenState(expected: State | ((state: State) => void)): void;
  thenStatus(expected: InstanceStatus): void;
  /** The workflow's code throws on the `when` (the runtime retries it, then parks the instance). */
  thenThrows(expected: ExpectedError): void;
}

export interface WorkflowWhen<State> {
  when(input: SpecInput): WorkflowThen<State>;
  whenClockMovesBy(ms: number): WorkflowThen<State>;
  whenClockMovesTo(at: Date | string | number): WorkflowThen<State>;
}

export interface WorkflowSpec<State> {
  given(inputs: readonly SpecInput[]): WorkflowWhen<State>;
}

const DEFAULT_START = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * @example
 * import { workflowSpec, commandSucceeded } from 'eventline/testing';
 * const spec = workflowSpec(review, { clock: '2026-01-01T00:00:00Z' });
 * spec.given([submitted]).when(approved).then([cancel('reminder'), send({ type: 'PublishPost', postId: 'p1' }), complete()]);
 * spec.given([submitted]).whenClockMovesBy(48 * HOUR).then([publish('blog.reviews.overdue', { postId: 'p1' })]);
 * spec.given([submitted, commandSucceeded('OpenReview')]).when(rejected).thenStatus('compensating');
 */
export function workflowSpec<State>(workflow: Workflow<State>, options: { clock?: Date | string | number } = {}): WorkflowSpec<State> {
  const start = options.clock === undefined ? DEFAULT_START : new Date(options.clock).getTime();
  assert.ok(Number.isFinite(start), `clock must be a time, got ${String(options.clock)}`);
  return {
    given(inputs) {
      const then = (happening: SpecInput): WorkflowThen<State> => {
        // Each assertion tells the story again: the planner is pure, so it is the same story.
        const play = () => {
          const story = new Story(workflow, start);
          inputs.forEach((input, i) => {
            try {
              story.take(input);
            } catch (error) {
              throw new Error(`given[${i}] threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
            }
          });
          return story.when(happening);
        };
        return {
          then(expected) {
            const { outputs, result, at } = play();
            if (typeof expected === 'function') expected(outputs, result.state, result);
            else assert.deepEqual(outputs, expected.map((output) => normalise(output, at)));
          },
          thenState(expected) {
            const { state } = play().result;
            if (typeof expected === 'function') (expected as (state: State) => void)(state);
            else assert.deepEqual(state, expected);
          },
          thenStatus(expected) {
            assert.equal(play().result.status, expected);
          },
          thenThrows(expected) {
            assert.throws(play, (error: unknown) => {
              const cause = error instanceof DecideError ? error.cause : error;
              if (typeof expected === 'function') assert.ok(cause instanceof expected, `expected a ${expected.name}, got ${String(cause)}`);
              else assert.throws(() => { throw cause; }, expected);
              return true;
            });
          },
        };
      };
      return {
        when: then,
        whenClockMovesBy: (ms) => then(clockMovedBy(ms)),
        whenClockMovesTo: (at) => then(clockMovedTo(at)),
      };
    },
  };
}

/** One telling of a story: the instance streams as the runtime would have recorded them. */
class Story<State> {
  private now: number;
  private readonly streams = new Map<string, RecordedEvent[]>();
  private position = 0;
  private inputs = 0;
  private subject: string | null = null;
  private recorded: RecordedEvent[] = [];
  private late: WorkflowInput[] = [];

  constructor(
    private readonly workflow: Workflow<State>,
    start: number,
  ) {
    this.now = start;
  }

  /** Takes the `when` and reports what it recorded. */
  when(input: SpecInput): { outputs: WorkflowSpecOutput[]; result: WorkflowSpecResult<State>; at: number } {
    this.recorded = [];
    this.late = [];
    this.take(input);
    const instance = this.subject === null ? undefined : this.fold(this.subject);
    const result: WorkflowSpecResult<State> = {
      streamId: this.subject,
      status: instance?.status ?? 'new',
      state: instance ? instance.state : this.workflow.initialState(),
      events: this.recorded,
      timers: instance ? [...instance.timers.values()] : [],
      commands: instance ? [...instance.commands.values()] : [],
      late: this.late,
    };
    return { outputs: this.recorded.flatMap(outputOf), result, at: this.now };
  }

  take(input: SpecInput): void {
    if (SPEC in input) {
      if (input[SPEC] === 'clock') return this.moveClock(input.to ?? this.now + input.by!);
      const subject = this.subject;
      const command = subject === null ? undefined : [...this.fold(subject).commands.values()].find((c) => c.command.type === input.commandType && c.outcome === 'pending');
      if (!command) throw new Error(`no command ${input.commandType} is pending${subject === null ? '' : ` in ${subject}`}`);
      return this.step(subject!, { kind: 'commandDone', commandId: command.commandId, outcome: input.outcome, reason: input.reason });
    }
    const n = ++this.inputs;
    const event: RecordedEvent = {
      type: input.type,
      data: copy(input.data ?? {}, 'data'),
      streamId: input.streamId ?? 'spec-input',
      eventId: input.eventId ?? derivedId('workflow-spec-input', String(n)),
      version: n,
      position: ++this.position,
      metadata: undefined,
      recordedAt: new Date(this.now),
    };
    // As the runtime: only the workflow's inputs are read, and an event it does not correlate is passed by.
    if (!this.workflow.inputs.includes(event.type)) return;
    const instanceId = this.workflow.correlate(event);
    if (instanceId === null || instanceId === undefined) return;
    this.subject = workflowStreamId(this.workflow.name, String(instanceId));
    this.step(this.subject, { kind: 'event', event });
  }

  private moveClock(to: number): void {
    assert.ok(Number.isFinite(to) && to >= this.now, `the clock only moves forward: from ${new Date(this.now).toISOString()} to ${String(to)}`);
    this.now = to;
    // Timers fire earliest first, and a timer a firing schedules is fired too if it is due.
    for (;;) {
      const due = [...this.streams.keys()]
        .flatMap((streamId) => [...this.fold(streamId).timers.values()].filter((t) => t.state === 'scheduled').map((timer) => ({ streamId, timer })))
        .filter(({ timer }) => Date.parse(timer.dueAt) <= this.now)
        .sort((a, b) => Date.parse(a.timer.dueAt) - Date.parse(b.timer.dueAt));
      if (due.length === 0) return;
      this.step(due[0]!.streamId, { kind: 'timer', timerId: due[0]!.timer.timerId });
    }
  }

  private step(streamId: string, input: StepInput): void {
    const instance = this.fold(streamId);
    const pick = (version: number) => (version === this.workflow.version ? this.workflow : undefined);
    const plan = planStep(instance as Instance, input, this.now, () => this.workflow as Workflow, pick as (version: number) => Workflow | undefined);
    if (!plan) return;
    const stream = this.streams.get(streamId) ?? [];
    for (const event of plan.events) {
      const recorded: RecordedEvent = {
        type: event.type,
        data: copy(event.data, event.type),
        metadata: event.metadata === undefined ? undefined : (copy(event.metadata, event.type) as Record<string, unknown>),
        eventId: event.eventId!,
        streamId,
        version: stream.length + 1,
        position: ++this.position,
        recordedAt: new Date(this.now),
      };
      stream.push(recorded);
      this.recorded.push(recorded);
    }
    this.streams.set(streamId, stream);
    if (plan.late) {
      this.late.push(plan.late);
      try {
        instance.definition?.onLate?.(plan.late, instance.state);
      } catch {
        // As the runtime: onLate only observes.
      }
    }
  }

  private fold(streamId: string): Instance<State> {
    const pick = (version: number) => (version === this.workflow.version ? this.workflow : undefined);
    return foldInstance(streamId, this.workflow.name, this.streams.get(streamId) ?? [], pick, this.workflow);
  }
}

/** What the store would give back: only what JSON carries, refused as the store refuses it. */
function copy(value: unknown, path: string): unknown {
  assertJsonFaithful(value, path);
  return copyJson(value);
}

function outputOf(event: RecordedEvent): WorkflowSpecOutput[] {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case T.commandSent: {
      const sent = data as unknown as CommandSentData;
      return [{ kind: 'send', command: sent.command, compensation: sent.compensation }];
    }
    case OUTBOX_MESSAGE:
      return [{ kind: 'publish', subject: data.subject as string, payload: data.payload as JsonValue }];
    case T.timerScheduled: {
      const timer = data as unknown as TimerScheduledData;
      return [{ kind: 'schedule', name: timer.name, at: new Date(timer.dueAt), afterMs: null, payload: timer.payload }];
    }
    case T.timerCancelled:
      return [{ kind: 'cancel', name: data.name as string }];
    case T.completed:
      return [{ kind: 'complete' }];
    case T.failed:
      return [{ kind: 'fail', reason: data.reason as string }];
    case T.compensating:
      return [{ kind: 'compensate', reason: data.reason as string }];
    case T.compensated:
      return [{ kind: 'compensated' }];
    default:
      return [];
  }
}

/** An expected output as it is recorded: a timer `after` ms is due that long after the `when`, and values are JSON. */
function normalise(output: WorkflowSpecOutput, at: number): WorkflowSpecOutput {
  if (output.kind === 'schedule') {
    const due = output.afterMs === null ? output.at! : new Date(at + output.afterMs);
    return { kind: 'schedule', name: output.name, at: due, afterMs: null, payload: copyJson(output.payload ?? null) };
  }
  if (output.kind === 'send') return { kind: 'send', command: copyJson(output.command) as never, compensation: copyJson(output.compensation) as never };
  if (output.kind === 'publish') return { kind: 'publish', subject: output.subject, payload: copyJson(output.payload) as JsonValue };
  return output;
}
