// Reading the command line. Global options may come before or after the command, so
// the command is found first (the first word that is not a global option or its
// value), then the rest is parsed strictly with the global and command options together.

import { parseArgs } from 'node:util';
import type { Command, OptionsConfig, OptionValues } from './command.js';
import { UsageError } from './errors.js';
import { quote } from './values.js';

export const GLOBAL_OPTIONS = {
  store: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies OptionsConfig;

export interface GlobalValues {
  store?: string;
  json: boolean;
  help: boolean;
  version: boolean;
}

export interface CommandLine {
  /** The command word as typed; undefined when there is none. */
  commandName?: string;
  /** Everything but the command word. */
  rest: string[];
}

/** Splits off the command word, leaving global options wherever they were. */
export function splitCommand(argv: readonly string[]): CommandLine {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--store') {
      i++; // its value
      continue;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      return { commandName: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    }
    // Anything else that looks like an option is left for the strict parse to judge.
  }
  return { rest: [...argv] };
}

/** True when --json was asked for, judged before parsing so even parse errors come out as JSON. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

export interface Parsed {
  global: GlobalValues;
  values: OptionValues;
  positionals: string[];
}

/** Parses strictly; `context` ("append", or "eventline") goes into the messages. */
export function parseOptions(args: readonly string[], options: OptionsConfig, context: string): Parsed {
  const config: OptionsConfig = { ...GLOBAL_OPTIONS, ...options };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: config, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw new UsageError(parseErrorMessage(error, context), { cause: error });
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const option = config[token.name];
    if (option?.type === 'string' && !option.multiple) {
      if (seen.has(token.name)) throw new UsageError(`--${token.name} given more than once`);
      seen.add(token.name);
    }
  }
  const values = parsed.values as OptionValues;
  return {
    global: {
      store: values.store as string | undefined,
      json: values.json === true,
      help: values.help === true,
      version: values.version === true,
    },
    values,
    positionals: parsed.positionals,
  };
}

/** The command's positionals, or a UsageError naming the one missing or extra. */
export function checkPositionals(command: Command, positionals: readonly string[]): string[] {
  const missing = command.positionals[positionals.length];
  if (missing !== undefined && !missing.endsWith('?')) {
    throw new UsageError(`${command.name} needs <${missing}> (usage: eventline ${command.name} ${command.synopsis})`);
  }
  const extra = positionals[command.positionals.length];
  if (extra !== undefined) {
    // An argument that may be a person's id is not repeated: the message says where it was instead.
    const shown = command.personalPositionals ? `(the ${ordinal(command.positionals.length + 1)} one)` : JSON.stringify(extra);
    throw new UsageError(`${command.name}: unexpected argument ${shown}`);
  }
  return [...positionals];
}

function ordinal(n: number): string {
  return n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}

// parseArgs words its errors for developers, over several lines; say the same in one.
function parseErrorMessage(error: unknown, context: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? 'an option';
  const help = context === 'eventline' ? 'eventline --help' : `eventline help ${context}`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option} (see ${help})`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (message.includes('does not take an argument')) return `${option} takes no value`;
    if (message.includes('ambiguous')) return `${option} needs a value (for one starting with "-", write ${option}=<value>)`;
    return `${option} needs a value`;
  }
  return message.split('\n')[0]!;
}

export function stringValue(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredString(values: OptionValues, name: string, command: string): string {
  const value = stringValue(values, name);
  if (value === undefined) throw new UsageError(`${command} needs --${name}`);
  return value;
}

export function stringList(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The action a command with actions was given (`snapshots list`), checked against the
 * options each action takes: an unknown action, or an option of another action, is a
 * UsageError naming it.
 */
export function commandAction<Action extends string>(
  command: { name: string; options: OptionsConfig },
  actionOptions: Readonly<Record<Action, readonly string[]>>,
  text: string,
  values: OptionValues,
): Action {
  const actions = Object.keys(actionOptions) as Action[];
  const action = actions.find((a) => a === text);
  if (action === undefined) {
    const choices = actions.length === 1 ? actions[0] : `${actions.slice(0, -1).join(', ')} or ${actions.at(-1)}`;
    throw new UsageError(`${command.name}: unknown action ${quote(text)} (use ${choices})`);
  }
  for (const option of Object.keys(values)) {
    if (option in command.options && !actionOptions[action].includes(option)) {
      throw new UsageError(`--${option} is not an option of ${command.name} ${action}`);
    }
  }
  return action;
}
