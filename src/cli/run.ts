// The CLI as one function: argv and writers in, exit code out. It parses, dispatches,
// always closes the store, and maps every failure to a message and an exit code
// (errors.ts). main.ts only wires it to this process; tests call it directly.

import { defaultStoreUrl, openEventStore } from '../open/open-store.js';
import { checkPositionals, parseOptions, splitCommand, wantsJson } from './args.js';
import type { Command, StoreOpener, Task } from './command.js';
import { findCommand } from './commands/index.js';
import { debugTrace, describeFailure, EXIT_OK, UsageError } from './errors.js';
import { commandHelp, mainHelp } from './help.js';
import { readAll, type Io } from './io.js';
import { createOutput } from './output.js';
import { quote } from './values.js';
import { packageVersion } from './version.js';

/**
 * Runs one eventline command line and resolves to its exit code.
 *
 * @example
 * let out = '';
 * const code = await run(['--store', 'memory:', 'stats', '--json'], {
 *   stdout: { write: (text) => void (out += text) },
 *   stderr: { write: () => {} },
 * });
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const env = io.env ?? process.env;
  try {
    return (await dispatch(argv, io, env)) ?? EXIT_OK;
  } catch (error) {
    return report(error, io, { json: wantsJson(argv), debug: Boolean(env.EVENTLINE_DEBUG) });
  }
}

async function dispatch(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv): Promise<void | number> {
  const { commandName, rest } = splitCommand(argv);

  if (commandName === undefined) {
    const { global, positionals } = parseOptions(rest, {}, 'eventline');
    if (positionals[0] !== undefined) throw unknownCommand(positionals[0]);
    if (global.help) return print(io, mainHelp());
    if (global.version) return printVersion(io, global.json);
    throw new UsageError('missing command (see eventline --help)');
  }

  if (commandName === 'help') {
    const { positionals } = parseOptions(rest, {}, 'eventline');
    if (positionals[1] !== undefined) throw new UsageError(`help: unexpected argument ${quote(positionals[1])}`);
    const topic = positionals[0];
    return print(io, topic === undefined ? mainHelp() : commandHelp(commandNamed(topic)));
  }

  const command = commandNamed(commandName);
  const { global, values, positionals } = parseOptions(rest, command.options, command.name);
  if (global.help) return print(io, commandHelp(command));
  if (global.version) return printVersion(io, global.json);

  // Every argument is checked before the store opens: bad input never creates or touches a store.
  const prepared = await command.prepare({
    values,
    positionals: checkPositionals(command, positionals),
    readStdin: readStdinOnce(io.readStdin ?? (() => readAll(process.stdin))),
    env,
  });
  // A mistyped path must not look like an empty store: only append makes one.
  const create = command.createsStore === true;
  const { open, run: task } = typeof prepared === 'function' ? { open: openEventStore, run: prepared } : prepared;
  return withStore(global.store ?? defaultStoreUrl(env), { create, open }, task, createOutput(io.stdout, global.json));
}

async function withStore(
  url: string,
  { create, open }: { create: boolean; open: StoreOpener },
  task: Task,
  out: ReturnType<typeof createOutput>,
): Promise<void | number> {
  const store = await open(url, { create });
  let code: void | number;
  try {
    code = await task({ store, out, url });
    await out.flush();
  } catch (error) {
    // The first failure is the one worth reporting; a failing close must not hide it.
    await store.close().catch(() => undefined);
    throw error;
  }
  await store.close();
  return code;
}

function commandNamed(name: string): Command {
  const command = findCommand(name);
  if (command === undefined) throw unknownCommand(name);
  return command;
}

function unknownCommand(name: string): UsageError {
  return new UsageError(`unknown command ${quote(name)} (see eventline --help)`);
}

async function print(io: Io, text: string): Promise<void> {
  const out = createOutput(io.stdout, false);
  await out.line(text);
  await out.flush();
}

async function printVersion(io: Io, json: boolean): Promise<void> {
  const version = await packageVersion();
  const out = createOutput(io.stdout, json);
  await (json ? out.record({ version }) : out.line(version));
  await out.flush();
}

function readStdinOnce(read: () => Promise<string>): () => Promise<string> {
  let used = false;
  return () => {
    // Not a UsageError of its own: jsonValue turns it into one that names the option.
    if (used) return Promise.reject(new Error('only one option can read standard input'));
    used = true;
    return read();
  };
}

async function report(error: unknown, io: Io, { json, debug }: { json: boolean; debug: boolean }): Promise<number> {
  const failure = describeFailure(error);
  if (failure.quiet) return failure.exitCode;
  const text = json
    ? JSON.stringify({
        error: failure.code,
        message: failure.message,
        ...(failure.details && { details: failure.details }),
        ...(debug && { stack: debugTrace(error) }),
      })
    : `eventline: ${failure.message}${debug ? '\n' + debugTrace(error) : ''}`;
  try {
    await io.stderr.write(text + '\n');
  } catch {
    // Nowhere left to say it; the exit code still does.
  }
  return failure.exitCode;
}
