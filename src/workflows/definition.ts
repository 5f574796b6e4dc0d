// A workflow is pure: it names the events it consumes, says which instance each
// belongs to, folds its instance's events into state, and decides outputs. The
// runtime does every I/O; decide sees only the clock and deterministic ids.

import { createHash } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { assertCount, assertName, describe } from '../core/validation.js';
import type { WorkflowOutput } from './outputs.js';

/** What decide receives: a consumed event (its own type and data), a TimerFired, or a WorkflowCommandDone. */
export interface WorkflowInput<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  eventId: string;
  streamId: string;
}

/** What evolve receives: each input as decide saw it, and each event the instance recorded about itself. */
export interface WorkflowEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface WorkflowContext {
  /** The injected clock's time when the step runs. */
  now: Date;
  /** An id that is the same each time this step is decided again, one per `name`. */
  id(name: string): string;
}

export interface WorkflowDefinition<State, Input extends WorkflowInput = WorkflowInput> {
  /** Lower-case letters, digits and _: part of every instance's stream id, `workflow-<name>-<id>`. */
  name: string;
  /** Default 1. A running instance stays on the version it started on. */
  version?: number;
  /** The event types it consumes from the log (TimerFired and command outcomes arrive on their own). */
  inputs: readonly string[];
  /** The inputs that may start an instance; any other input for an instance that does not exist is passed by. Default: every input. */
  startedBy?: readonly string[];
  /** The instance an event belongs to, or null when it belongs to none. */
  correlate(event: RecordedEvent): string | null | undefined;
  initialState(): State;
  evolve(state: State, event: WorkflowEvent): State;
  decide(input: Input, state: State, context: WorkflowContext): readonly WorkflowOutput[];
  /** When true after a step, the instance completes (as if decide had said `complete()`). */
  isTerminal?(state: State): boolean;
  /** Told of an input that arrived after the instance ended; it is recorded and ignored. Must not throw. */
  onLate?(input: Input, state: State): void;
}

export interface Workflow<State = unknown> extends Required<Omit<WorkflowDefinition<State>, 'isTerminal' | 'onLate'>> {
  isTerminal?(state: State): boolean;
  onLate?(input: WorkflowInput, state: State): void;
  /** SHA-256 of the definition's name, version, inputs and functions' source: a changed definition has another. */
  readonly hash: string;
}

const NAME = /^[a-z][a-z0-9_]{0,40}$/;

/**
 * @example
 * const review = defineWorkflow({
 *   name: 'review', inputs: ['PostSubmittedForReview'], correlate: (e) => e.data.postId,
 *   initialState: () => ({}), evolve: (s) => s,
 *   decide: (input) => [schedule({ name: 'reminder', after: 48 * 3600_000 })],
 * });
 */
export function defineWorkflow<State, Input extends WorkflowInput = WorkflowInput>(definition: WorkflowDefinition<State, Input>): Workflow<State> {
  const { name, version = 1, inputs, startedBy = inputs } = definition;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValidationError('name', `must be lower-case letters, digits and _, starting with a letter, at most 41 characters, got ${describe(name)}`);
  }
  assertCount(version, 'version', 1);
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ValidationError('inputs', 'must list at least one event type');
  inputs.forEach((type, i) => assertName(type, `inputs[${i}]`));
  if (!Array.isArray(startedBy) || startedBy.some((type) => !inputs.includes(type))) throw new ValidationError('startedBy', 'must list some of the inputs');
  for (const fn of ['correlate', 'initialState', 'evolve', 'decide'] as const) {
    if (typeof definition[fn] !== 'function') throw new ValidationError(fn, 'must be a function');
  }
  for (const fn of ['isTerminal', 'onLate'] as const) {
    if (definition[fn] !== undefined && typeof definition[fn] !== 'function') throw new ValidationError(fn, 'must be a function when given');
  }
  const source = [name, String(version), inputs.join(','), startedBy.join(','), ...[definition.correlate, definition.initialState, definition.evolve, definition.decide, definition.isTerminal].map(String)];
  return {
    ...(definition as unknown as Workflow<State>),
    name,
    version,
    inputs: [...inputs],
    startedBy: [...startedBy],
    hash: createHash('sha256').update(source.join('\u0000')).digest('hex'),
  };
}

/** The workflows a runtime knows, each name with one or more versions. */
export class WorkflowRegistry {
  private readonly byName = new Map<string, Map<number, Workflow>>();

  constructor(workflows: readonly Workflow[]) {
    if (!Array.isArray(workflows) || workflows.length === 0) throw new ValidationError('workflows', 'must list at least one workflow');
    for (const workflow of workflows) {
      if (typeof workflow?.hash !== 'string') throw new ValidationError('workflows', 'must be made with defineWorkflow');
      const versions = this.byName.get(workflow.name) ?? new Map<number, Workflow>();
      if (versions.has(workflow.version)) throw new ValidationError('workflows', `lists ${workflow.name} version ${workflow.version} twice`);
      versions.set(workflow.version, workflow);
      this.byName.set(workflow.name, versions);
    }
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The newest version: new instances start on it. */
  latest(name: string): Workflow {
    const versions = this.byName.get(name)!;
    return versions.get(Math.max(...versions.keys()))!;
  }

  version(name: string, version: number): Workflow | undefined {
    return this.byName.get(name)?.get(version);
  }

  /** Every event type any version of `name` consumes. */
  inputsOf(name: string): string[] {
    return [...new Set([...this.byName.get(name)!.values()].flatMap((w) => w.inputs))];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }
}
