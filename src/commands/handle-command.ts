// Command handling is the loop every event-sourced write runs: load the stream, fold
// it, decide, append at exactly the version that was decided on. If another writer
// got there first the decision may no longer hold, so it is made again on fresh state.

import { ConcurrencyError, DuplicateEventError, ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { derivedId, isUuid } from '../core/uuid.js';
import { assertCount, assertPlainObject, describe } from '../core/validation.js';
import type { EventStore } from '../store/event-store.js';
import type { AppendResult } from '../store/storage.js';
import { observeCommand } from '../telemetry/index.js';
import { readSnapshotOptions, type ResolvedSnapshotOptions, type SnapshotOptions } from '../snapshots/options.js';
import { takeSnapshotIfDue } from '../snapshots/take.js';
import type { Decider, DeciderEvent } from './decider.js';
import { loadStateWith, type LoadedState } from './load-state.js';

export interface HandleCommandOptions {
  /** How many times to decide again after a ConcurrencyError before giving up. Default 3. */
  maxRetries?: number;
  /**
   * Load from the stream's snapshot, and take a new one when the policy says so. A
   * snapshot that cannot be written is logged; the command still succeeds.
   */
  snapshots?: SnapshotOptions;
  /**
   * The stream version the caller decided on (0: no stream yet). When the stream is at
   * any other version the command throws ConcurrencyError at once, without retrying,
   * and writes nothing: the caller's view is stale, so deciding again is theirs to do.
   */
  expectedVersion?: number;
  /**
   * The command's own id (a UUID), for a sender that may send it again, as a workflow
   * does after a crash. The events get ids derived from it, and a command whose events
   * are already in the stream is answered with no new events instead of deciding again.
   */
  commandId?: string;
}

export interface CommandResult<State> {
  streamId: string;
  /** The events this command appended, as recorded; empty when the decision was to append nothing. */
  events: RecordedEvent[];
  /** The stream's version after the command: an expectedVersion for the next append. */
  nextExpectedVersion: number;
  /** The position of the last event appended or, when none was, of the stream's last event (0 for no stream). */
  lastPosition: number;
  /** The state after the new events. */
  state: State;
}

export const DEFAULT_MAX_RETRIES = 3;

/**
 * Runs one command against one stream. Throws whatever `decide` throws (nothing is
 * written then), and ConcurrencyError when other writers win more than `maxRetries` times.
 *
 * The decider's events are trusted to be the ones in the stream: the store gives them
 * back untyped and `evolve` receives them as its own.
 *
 * @example
 * const result = await handleCommand(store, 'post-1', postDecider, { type: 'PublishPost', postId: '1' });
 * result.events; // [{ type: 'PostWasPublished', version: 2, position: …, … }]
 */
export function handleCommand<State, Command>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, DeciderEvent>,
  command: Command,
  options: HandleCommandOptions = {},
): Promise<CommandResult<State>> {
  return observeCommand(store.kind, streamId, command, () => runCommand(store, streamId, decider, command, options));
}

async function runCommand<State, Command>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, DeciderEvent>,
  command: Command,
  options: HandleCommandOptions,
): Promise<CommandResult<State>> {
  const { maxRetries, expectedVersion, commandId } = readOptions(options);
  const snapshots = options.snapshots === undefined ? undefined : readSnapshotOptions(options.snapshots);
  assertDecider(decider);

  for (let retries = 0; ; retries++) {
    const loaded = await loadStateWith(store, streamId, decider, snapshots);
    if (expectedVersion !== undefined && loaded.version !== expectedVersion) {
      throw new ConcurrencyError(streamId, expectedVersion, loaded.version);
    }
    let events: readonly DeciderEvent[];
    try {
      events = decideEvents(decider, command, loaded.state);
    } catch (error) {
      // A command sent again after it took effect may no longer be allowed: it is done.
      if (commandId !== undefined && (await holdsEvent(store, streamId, commandEventId(commandId, 0)))) return unchanged(streamId, loaded);
      throw error;
    }
    if (events.length === 0) return withSnapshot(store, unchanged(streamId, loaded), loaded, 0, snapshots);

    const ids = commandId === undefined ? undefined : events.map((_, i) => commandEventId(commandId, i));
    let appended: AppendResult | undefined;
    try {
      appended = await appendUnlessOvertaken(store, streamId, events, loaded.version, expectedVersion === undefined && retries < maxRetries, ids);
    } catch (error) {
      // Sent again and decided otherwise this time: its first decision is the one that stands.
      if (error instanceof DuplicateEventError && ids !== undefined) return unchanged(streamId, await loadStateWith(store, streamId, decider, snapshots));
      throw error;
    }
    if (appended === undefined) continue;
    // An exact resend: the store answered with the first append's result.
    if (ids !== undefined && appended.nextExpectedVersion !== loaded.version + events.length) {
      return unchanged(streamId, await loadStateWith(store, streamId, decider, snapshots));
    }

    // Versions after the one decided on are ours: the append was checked against it.
    const recorded = await store.readStream(streamId, { fromVersion: loaded.version + 1, maxCount: events.length });
    const result = {
      streamId,
      events: recorded,
      nextExpectedVersion: appended.nextExpectedVersion,
      lastPosition: appended.lastPosition,
      state: events.reduce(decider.evolve, loaded.state),
    };
    return withSnapshot(store, result, loaded, events.length, snapshots);
  }
}

/** Takes a snapshot of the command's result when the policy says so; never fails the command. */
async function withSnapshot<State>(
  store: EventStore,
  result: CommandResult<State>,
  loaded: LoadedState<State>,
  eventsAppended: number,
  snapshots: ResolvedSnapshotOptions | undefined,
): Promise<CommandResult<State>> {
  if (snapshots === undefined) return result;
  const { streamId, state, nextExpectedVersion: version } = result;
  const { snapshotVersion, eventsApplied } = loaded;
  await takeSnapshotIfDue(store, { streamId, state, version, snapshotVersion, eventsApplied, eventsAppended }, snapshots);
  return result;
}

/** Appends at exactly `version`; on a conflict returns undefined while a retry is left, else rethrows. */
async function appendUnlessOvertaken(
  store: EventStore,
  streamId: string,
  events: readonly DeciderEvent[],
  version: number,
  mayRetry: boolean,
  ids: readonly string[] | undefined,
): Promise<AppendResult | undefined> {
  try {
    const toAppend = events.map(({ type, data }, i) => (ids === undefined ? { type, data } : { type, data, eventId: ids[i] }));
    // Version 0 means "no stream yet" to every store.
    return await store.appendToStream(streamId, toAppend, { expectedVersion: version });
  } catch (error) {
    if (error instanceof ConcurrencyError && mayRetry) return undefined;
    throw error;
  }
}

function decideEvents<State, Command>(decider: Decider<State, Command, DeciderEvent>, command: Command, state: State) {
  const events: unknown = decider.decide(command, state);
  if (!Array.isArray(events)) throw new ValidationError('decide', `must return an array of events, got ${describe(events)}`);
  return events as readonly DeciderEvent[];
}

function unchanged<State>(streamId: string, loaded: LoadedState<State>): CommandResult<State> {
  return { streamId, events: [], nextExpectedVersion: loaded.version, lastPosition: loaded.lastPosition, state: loaded.state };
}

function readOptions(options: unknown): { maxRetries: number; expectedVersion: number | undefined; commandId: string | undefined } {
  assertPlainObject(options, 'options');
  const { maxRetries = DEFAULT_MAX_RETRIES, expectedVersion, commandId } = options as HandleCommandOptions;
  assertCount(maxRetries, 'maxRetries', 0);
  if (expectedVersion !== undefined) assertCount(expectedVersion, 'expectedVersion', 0);
  if (commandId !== undefined && (typeof commandId !== 'string' || !isUuid(commandId))) {
    throw new ValidationError('commandId', `must be a UUID, got ${describe(commandId)}`);
  }
  return { maxRetries, expectedVersion, commandId: commandId?.toLowerCase() };
}

/** The id of the `index`th event a command with `commandId` appends. */
export function commandEventId(commandId: string, index: number): string {
  return derivedId('command', commandId, String(index));
}

/** Whether the stream holds an event with this id, looked for from its end, where a recent command's events are. */
async function holdsEvent(store: EventStore, streamId: string, eventId: string): Promise<boolean> {
  const page = 200;
  let fromVersion: number | undefined;
  while (true) {
    const events = await store.readStream(streamId, { direction: 'backward', maxCount: page, ...(fromVersion === undefined ? {} : { fromVersion }) });
    if (events.some((e) => e.eventId === eventId)) return true;
    const oldest = events.at(-1);
    if (events.length < page || oldest === undefined || oldest.version <= 1) return false;
    fromVersion = oldest.version - 1;
  }
}

function assertDecider(decider: unknown): void {
  const parts = decider as Partial<Record<keyof Decider<unknown, unknown>, unknown>> | null | undefined;
  const missing = (['initialState', 'evolve', 'decide'] as const).filter((name) => typeof parts?.[name] !== 'function');
  if (missing.length > 0) throw new ValidationError('decider', `must have the functions initialState, evolve and decide; missing ${missing.join(', ')}`);
}
