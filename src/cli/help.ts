// The help texts, built from the commands' own descriptions so they cannot drift.

import type { Command } from './command.js';
import { COMMANDS } from './commands/index.js';

const EXIT_CODES = [
  'Exit codes:',
  '  0  done',
  '  1  unexpected failure (the message says what; set EVENTLINE_DEBUG=1 for the stack);',
  '     also a check that found something: workflows verify, subjects verify',
  '  2  bad input: usage, an option value, the store URL, a key-encryption key, or an event the store refuses',
  '  3  write refused: the stream is not at --expected-version, or the event id is stored elsewhere',
];

const GLOBAL_HELP: readonly (readonly [string, string])[] = [
  ['--store <url>', 'memory:, sqlite:<file>[?synchronous=normal|full] or postgres://…[?schema=name]'],
  ['', 'Default: $EVENTLINE_STORE, else sqlite:./data/eventline.db'],
  ['--json', 'Machine-readable output: one JSON object per line for lists, one for a result;'],
  ['', 'errors as {"error":"<code>","message":"…"} on stderr'],
  ['-h, --help', 'Print help (also: eventline help <command>)'],
  ['--version', 'Print the version'],
];

export function mainHelp(): string {
  return [
    'Usage: eventline [--store <url>] [--json] <command> [arguments]',
    '',
    'Reads and writes an Eventline event store from the shell.',
    '',
    'Commands:',
    ...list([...COMMANDS.map((c) => [c.name, c.summary] as const), ['help [command]', 'Print this help, or a command\'s']]),
    '',
    'Global options (before or after the command):',
    ...list(GLOBAL_HELP),
    '',
    ...EXIT_CODES,
    '',
    'Run "eventline help <command>" for a command\'s options.',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `Usage: eventline [--store <url>] [--json] ${command.name}${command.synopsis && ' ' + command.synopsis}`,
    '',
    `${command.summary}.`,
    ...(command.optionHelp.length > 0 ? ['', 'Options:', ...list(command.optionHelp)] : []),
    '',
    'Prints:',
    ...command.prints.split('\n').map((line) => `  ${line}`),
    '',
    'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
    'Global options and exit codes: eventline --help',
  ].join('\n');
}

function list(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
