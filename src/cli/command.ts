// The shape of a command: its options and help, a prepare step that checks every
// argument before a store is opened (so bad input never touches the store), and the
// task that then runs against the store.

import type { ParseArgsConfig } from 'node:util';
import type { EventStore } from '../store/event-store.js';
import type { Output } from './output.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandArgs {
  values: OptionValues;
  /** As many as the command's `positionals` (those ending in '?' may be missing). */
  positionals: string[];
  readStdin: () => Promise<string>;
  /** The environment the CLI runs in (the privacy commands read the key-encryption key from it). */
  env: NodeJS.ProcessEnv;
}

export interface TaskContext {
  store: EventStore;
  out: Output;
  /** The store's URL, as given or by default (for commands that reach past the store: its key storage, its files). */
  url: string;
}

/** Runs against the store; resolves to the exit code when it is not 0 (a check that found differences). */
export type Task = (context: TaskContext) => Promise<void | number>;

/**
 * Opens the store a task runs against, when openEventStore(url, { create }) will not do
 * (the privacy commands open it with their payload guard). Closing the store it answers
 * closes whatever it opened with it.
 */
export type StoreOpener = (url: string, options: { create: boolean }) => Promise<EventStore>;

/** A task that opens its store itself. */
export interface OwnStoreTask {
  open: StoreOpener;
  run: Task;
}

export interface Command {
  name: string;
  /** Whether the command creates the store when there is none yet; the others refuse it. */
  createsStore?: true;
  /** One line for the command list. */
  summary: string;
  /** What follows the command name in its usage line. */
  synopsis: string;
  /** Names of the positional arguments, all required but trailing ones ending in '?'. */
  positionals: readonly string[];
  /** Whether a positional may be personal data (a subject id): then no message repeats one. */
  personalPositionals?: true;
  options: OptionsConfig;
  /** [option as written, what it does], for help. */
  optionHelp: readonly (readonly [string, string])[];
  /** What the command prints, for help. */
  prints: string;
  examples: readonly string[];
  /** Checks and converts every argument; throws UsageError. Opens nothing. */
  prepare(args: CommandArgs): Promise<Task | OwnStoreTask> | Task | OwnStoreTask;
}
