// `eventline subjects export | forget | verify`: a person's personal data, from the shell.
// export lists every personal field about a subject (subject access), forget
// crypto-shreds it and prints the erasure receipt, verify scans the store's files for a
// canary to show nothing readable is left. The subject id is read, never printed: output
// and errors name the subject by its keyed hash.

import { stat } from 'node:fs/promises';
import { assertCategory, subjectIdOf, type PersonalDataRegistry } from '../../privacy/declarations.js';
import type { ExportedField, SubjectExport } from '../../privacy/privacy.js';
import type { ErasureReceipt } from '../../privacy/receipts.js';
import { commandAction, stringList, stringValue } from '../args.js';
import { assertScannable, canaryNeedles, MIN_CANARY_BYTES, scanStore, type ScanReport } from '../canary.js';
import type { Command, CommandArgs, OwnStoreTask, Task } from '../command.js';
import { UsageError } from '../errors.js';
import { printable } from '../format.js';
import type { Output } from '../output.js';
import { loadPersonalData, NO_PERSONAL_DATA, openPrivateStore, subjectHashOf, type PrivateStore } from '../privacy.js';
import { createTablePrinter } from '../table.js';
import { quote } from '../values.js';

/** The options each action takes; any other is a usage error. */
const ACTION_OPTIONS = { export: ['personal-data'], forget: ['personal-data', 'category'], verify: ['canary', 'path'] } as const;

const FIELD_COLUMNS = [
  { title: 'POSITION', align: 'right' },
  { title: 'STREAM', align: 'left' },
  { title: 'TYPE', align: 'left' },
  { title: 'PATH', align: 'left' },
  { title: 'CATEGORY', align: 'left' },
  { title: 'VALUE', align: 'left' },
] as const;

const PLACE_COLUMNS = [
  { title: 'FOUND IN', align: 'left' },
  { title: 'ENCODING', align: 'left' },
  { title: 'COUNT', align: 'right' },
] as const;

/** Human output shows this much of a value; --json shows all of it. */
const MAX_VALUE_CHARS = 80;

export const subjectsCommand: Command = {
  name: 'subjects',
  summary: 'Export, forget (crypto-shred) or verify the personal data of a subject',
  synopsis:
    'export <id> --personal-data <module> | forget <id> [--category <c>]... [--personal-data <module>] | verify <id> --canary <text> [--path <file>]...',
  positionals: ['action', 'id?'],
  personalPositionals: true,
  options: {
    'personal-data': { type: 'string' },
    category: { type: 'string', multiple: true },
    canary: { type: 'string' },
    path: { type: 'string', multiple: true },
  },
  optionHelp: [
    ['export <id>', 'Every personal field about the subject, in log order (subject access)'],
    ['  --personal-data <module>', 'An ES module (path from the current folder) exporting what definePersonalData(…)'],
    ['', 'returns, as `personalData` or the default; a .ts module needs tsx (NODE_OPTIONS="--import tsx")'],
    ['forget <id>', 'Delete the subject\'s data keys, so its personal fields can never be read again, and'],
    ['', 'append an erasure receipt to erasure-<hash>. Again: the same receipt, nothing appended'],
    ['  --category <c>', 'Forget only this category (profile, contact, …); repeat for more. Default: all'],
    ['  --personal-data <module>', 'As for export; not needed to forget'],
    ['verify <id>', 'Scan the store\'s files for a canary: SQLite: the store\'s file and keys.db, each with'],
    ['', 'its -wal and -shm; PostgreSQL: a pg_dump of the store\'s schema and its key schema'],
    ['  --canary <text>', `The text to look for (at least ${MIN_CANARY_BYTES} bytes), as UTF-8, UTF-16LE/BE, base64 and hex`],
    ['  --path <file>', 'Scan this file too (a backup, a log, an export); repeat for more'],
    ['', 'The key-encryption key: $EVENTLINE_KEK (base64 of 32 bytes), else the key file'],
    ['', '$EVENTLINE_KEK_FILE, else ./eventline.kek (made, mode 0600, for a new key storage)'],
  ],
  prints: 'The subject is named by its keyed hash, never by its id.\n' +
    'export: one line per field: position, stream, type, path, category and value (or "(erased)").\n' +
    'forget: the erasure receipt: categories, keys deleted, when, and its MAC.\n' +
    'verify: one line per place the canary is found (file, encoding, count; never the bytes around\n' +
    'it) and a summary. Exit 0 when found nowhere, 1 when found somewhere (as grep does).\n' +
    'With --json: export is the export object {"subjectHash","forgotten","fields"}; forget is the\n' +
    'receipt {"subjectHash","categories","keyIds","at","mac"}; verify is {"subjectHash","scanned","found"}\n' +
    '(subjectHash null when no key has sealed the key storage yet: verify makes no key file).',
  examples: [
    'NODE_OPTIONS="--import tsx" eventline subjects export author-17 --personal-data src/personal-data.ts',
    'eventline subjects forget author-17 --json',
    'eventline subjects forget author-17 --category contact',
    'eventline subjects verify author-17 --canary "Ada Canary" --path backup.sql && echo clean',
  ],

  async prepare({ values, positionals, env }) {
    const [actionText, id] = positionals as [string, string | undefined];
    // An id typed where the action goes must not be repeated in the message.
    if (!Object.hasOwn(ACTION_OPTIONS, actionText)) throw new UsageError('subjects: unknown action (use export, forget or verify)');
    const action = commandAction(subjectsCommand, ACTION_OPTIONS, actionText, values);
    if (id === undefined) throw new UsageError(`subjects ${action} needs <id>`);
    // Checked here, so a bad id never opens the store; the ValidationError names the option, never the id.
    const subjectId = subjectIdOf(id, 'id');
    if (action === 'verify') return verifyTask(subjectId, await verifyOptions(values), env);
    const path = stringValue(values, 'personal-data');
    if (action === 'export') {
      if (path === undefined) throw new UsageError('subjects export needs --personal-data <module> (the declarations say which fields are personal)');
      return privateTask(await loadPersonalData(path), env, (session, out) => exportSubject(session, subjectId, out));
    }
    const categories = forgetCategories(values);
    const personalData = path === undefined ? NO_PERSONAL_DATA : await loadPersonalData(path);
    return privateTask(personalData, env, (session, out) => forgetSubject(session, subjectId, categories, out));
  },
};

/** A task on the store opened with the privacy guard. */
function privateTask(
  personalData: PersonalDataRegistry,
  env: CommandArgs['env'],
  work: (session: PrivateStore, out: Output) => Promise<void>,
): OwnStoreTask {
  let session: PrivateStore | undefined;
  return {
    async open(url, { create }) {
      session = await openPrivateStore(url, { create, env, personalData });
      return session.store;
    },
    run: ({ out }) => work(session!, out),
  };
}

async function exportSubject({ store, privacy }: PrivateStore, subjectId: string, out: Output): Promise<void> {
  const exported = await privacy.exportSubject(store, subjectId);
  if (out.json) return out.record(exported);
  await out.line(`subject ${exported.subjectHash}: ${plural(exported.fields.length, 'personal field')}; forgotten: ${forgottenText(exported)}`);
  const table = createTablePrinter(FIELD_COLUMNS, out.line, exported.fields.length || 1);
  for (const field of exported.fields) await table.row(fieldCells(field));
  await table.end();
}

function fieldCells(field: ExportedField): string[] {
  const value = field.erased ? '(erased)' : printable(JSON.stringify(field.value) ?? 'undefined');
  return [
    String(field.position),
    printable(field.streamId),
    printable(field.type),
    field.path,
    field.category,
    value.length <= MAX_VALUE_CHARS ? value : value.slice(0, MAX_VALUE_CHARS - 1) + '…',
  ];
}

function forgottenText({ forgotten }: SubjectExport): string {
  if (forgotten === 'all') return 'all';
  return forgotten.length === 0 ? 'none' : forgotten.join(', ');
}

function forgetCategories(values: CommandArgs['values']): string[] | undefined {
  const categories = stringList(values, 'category');
  if (categories.length === 0) return undefined;
  categories.forEach((category) => assertCategory(category, 'category'));
  return categories;
}

async function forgetSubject({ store, privacy }: PrivateStore, subjectId: string, categories: string[] | undefined, out: Output): Promise<void> {
  const receipt = await privacy.forgetSubject(store, subjectId, categories === undefined ? {} : { categories });
  if (out.json) return out.record(receipt);
  for (const line of receiptLines(receipt)) await out.line(line);
}

function receiptLines(receipt: ErasureReceipt): string[] {
  const what = receipt.categories === null ? 'every category' : `categories ${receipt.categories.join(', ')}`;
  return [
    `forgot subject ${receipt.subjectHash}: ${what}`,
    `receipt: ${plural(receipt.keyIds.length, 'data key')} deleted at ${new Date(receipt.at).toISOString()}, in stream erasure-${receipt.subjectHash}`,
    `mac: ${receipt.mac}`,
  ];
}

interface VerifyOptions {
  canary: string;
  paths: string[];
}

async function verifyOptions(values: CommandArgs['values']): Promise<VerifyOptions> {
  const canary = stringValue(values, 'canary');
  if (canary === undefined) throw new UsageError('subjects verify needs --canary <text>');
  // The canary is never repeated: not even in this message.
  if (Buffer.byteLength(canary, 'utf8') < MIN_CANARY_BYTES) throw new UsageError(`--canary must be at least ${MIN_CANARY_BYTES} bytes`);
  const paths = stringList(values, 'path');
  for (const path of paths) {
    const found = await stat(path).catch((error: NodeJS.ErrnoException) => error.code ?? 'unreadable');
    if (typeof found === 'string') throw new UsageError(`--path: cannot read ${quote(path)} (${found})`);
    if (!found.isFile()) throw new UsageError(`--path: ${quote(path)} is not a file`);
  }
  return { canary, paths };
}

function verifyTask(subjectId: string, { canary, paths }: VerifyOptions, env: CommandArgs['env']): Task {
  return async ({ url, out }) => {
    assertScannable(url);
    // Before the scan, so a wrong key-encryption key is refused without a report.
    const subjectHash = await subjectHashOf(url, subjectId, env);
    const report = await scanStore(url, paths, canaryNeedles(canary));
    await printReport(subjectHash, report, out);
    return report.found.length === 0 ? 0 : 1;
  };
}

async function printReport(subjectHash: string | null, { scanned, found }: ScanReport, out: Output): Promise<void> {
  if (out.json) return out.record({ subjectHash, scanned, found });
  const table = createTablePrinter(PLACE_COLUMNS, out.line, found.length || 1);
  for (const { place, encoding, count } of found) await table.row([printable(place), encoding, String(count)]);
  await table.end();
  const total = found.reduce((sum, { count }) => sum + count, 0);
  const subject = subjectHash === null ? 'no key storage sealed yet, so no subject hash' : `subject ${subjectHash}`;
  const where = `${subject}; ${plural(scanned.length, 'place')} scanned`;
  await out.line(total === 0 ? `canary not found (${where})` : `canary found ${plural(total, 'time')} in ${plural(new Set(found.map((f) => f.place)).size, 'place')} (${where})`);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
