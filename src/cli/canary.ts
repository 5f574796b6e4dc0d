// Looking for a canary (a made-up name or email written as a subject's personal data) in
// the bytes a store leaves on disk, in the encodings a value may take there: UTF-8,
// UTF-16 either way round, base64 and hex. Only counts come out, never the bytes around
// a find, so a report can be shared without leaking what it found.

import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StoreOpenError } from '../core/errors.js';
import { KEY_FILE_NAME } from '../open/open-key-storage.js';
import { isMemoryUrl } from '../stores/memory/url.js';
import { isPostgresUrl, parsePostgresUrl } from '../stores/postgres/url.js';
import { isSqliteUrl, parseSqliteUrl } from '../stores/sqlite/url.js';
import { UsageError } from './errors.js';

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'base64' | 'hex' | 'HEX';

export interface Needle {
  encoding: Encoding;
  bytes: Buffer;
}

/** Shorter canaries match by chance, and leave too little of themselves in base64. */
export const MIN_CANARY_BYTES = 6;

/**
 * The byte strings to look for. Base64 depends on where the canary starts: each of the
 * three offsets modulo 3 gives other characters, so all three are searched, each trimmed
 * of the characters at its edges that also hold bits of the neighbouring bytes.
 */
export function canaryNeedles(canary: string): Needle[] {
  const utf8 = Buffer.from(canary, 'utf8');
  const utf16le = Buffer.from(canary, 'utf16le');
  const hex = utf8.toString('hex');
  const needles: Needle[] = [
    { encoding: 'utf-8', bytes: utf8 },
    { encoding: 'utf-16le', bytes: utf16le },
    { encoding: 'utf-16be', bytes: Buffer.from(utf16le).swap16() },
    ...[0, 1, 2].map((shift) => ({ encoding: 'base64' as const, bytes: Buffer.from(base64Core(utf8, shift), 'latin1') })),
    { encoding: 'hex', bytes: Buffer.from(hex, 'latin1') },
    { encoding: 'HEX', bytes: Buffer.from(hex.toUpperCase(), 'latin1') },
  ];
  return needles.filter((needle) => needle.bytes.length > 0);
}

/** The base64 characters that depend on `bytes` alone when they follow `shift` other bytes. */
function base64Core(bytes: Buffer, shift: number): string {
  const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64').replace(/=+$/, '');
  // Character i holds bits [6i, 6i + 6): keep those wholly inside the canary's bits.
  return encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
}

/** How often each encoding occurs in a stream of bytes, across chunk boundaries. */
export async function countIn(chunks: AsyncIterable<Buffer>, needles: readonly Needle[]): Promise<Map<Encoding, number>> {
  const counts = new Map<Encoding, number>();
  const keep = Math.max(...needles.map((needle) => needle.bytes.length)) - 1;
  let tail = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const window = Buffer.concat([tail, chunk]);
    for (const { encoding, bytes } of needles) {
      // A match lying wholly in the tail was counted with the chunk before.
      let from = Math.max(tail.length - bytes.length + 1, 0);
      for (let at = window.indexOf(bytes, from); at !== -1; at = window.indexOf(bytes, from)) {
        counts.set(encoding, (counts.get(encoding) ?? 0) + 1);
        from = at + 1;
      }
    }
    tail = window.subarray(Math.max(window.length - keep, 0));
  }
  return counts;
}

export interface Place {
  /** A file's path, or what was dumped ("pg_dump of schemas …"). */
  place: string;
  encoding: Encoding;
  count: number;
}

export interface ScanReport {
  /** Everything read, found in or not. */
  scanned: string[];
  found: Place[];
}

/** Refuses a store that keeps nothing on disk, before anything is opened for the scan. */
export function assertScannable(url: string): void {
  if (isMemoryUrl(url) || (isSqliteUrl(url) && parseSqliteUrl(url).path === ':memory:')) {
    throw new UsageError('subjects verify: a store in memory has no files to scan');
  }
}

/**
 * Scans what the store at `url` keeps (SQLite: the store's file and keys.db, each with
 * its -wal and -shm; PostgreSQL: a pg_dump of the store's schema and its key schema; read
 * models live in both) and every file of `paths`. Files that do not exist are skipped.
 */
export async function scanStore(url: string, paths: readonly string[], needles: readonly Needle[]): Promise<ScanReport> {
  assertScannable(url);
  const report: ScanReport = { scanned: [], found: [] };
  const note = (place: string, counts: Map<Encoding, number>) => {
    report.scanned.push(place);
    for (const [encoding, count] of counts) report.found.push({ place, encoding, count });
  };
  if (isPostgresUrl(url)) {
    const { place, chunks } = pgDump(url);
    note(place, await countIn(chunks, needles));
  } else if (isSqliteUrl(url)) {
    const { path } = parseSqliteUrl(url);
    const files = [path, join(dirname(path), KEY_FILE_NAME)].flatMap((file) => [file, `${file}-wal`, `${file}-shm`]);
    for (const file of files) if (await isFile(file)) note(file, await countIn(createReadStream(file), needles));
  }
  for (const file of paths) note(file, await countIn(createReadStream(file), needles));
  return report;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The libpq variables a URL's parameters map to; the others are node-postgres's own. */
const PG_VARIABLES: Readonly<Record<string, string>> = {
  host: 'PGHOST', port: 'PGPORT', user: 'PGUSER', password: 'PGPASSWORD', db: 'PGDATABASE', sslmode: 'PGSSLMODE',
  sslcert: 'PGSSLCERT', sslkey: 'PGSSLKEY', sslrootcert: 'PGSSLROOTCERT', application_name: 'PGAPPNAME', options: 'PGOPTIONS',
  client_encoding: 'PGCLIENTENCODING',
};

/**
 * pg_dump of the store's schema and its key schema, as it streams out. The connection
 * goes by libpq's variables, so the password is in no process's arguments.
 */
function pgDump(url: string): { place: string; chunks: AsyncIterable<Buffer> } {
  const { connectionString, schema = 'eventline' } = parsePostgresUrl(url);
  const parsed = new URL(connectionString);
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '10' };
  if (parsed.hostname !== '') env.PGHOST = decodeURIComponent(parsed.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (parsed.port !== '') env.PGPORT = parsed.port;
  if (parsed.username !== '') env.PGUSER = decodeURIComponent(parsed.username);
  if (parsed.password !== '') env.PGPASSWORD = decodeURIComponent(parsed.password);
  const database = decodeURIComponent(parsed.pathname.slice(1));
  if (database !== '') env.PGDATABASE = database;
  for (const [name, value] of parsed.searchParams) {
    const variable = PG_VARIABLES[name];
    if (variable !== undefined) env[variable] = value;
  }
  const schemas = [schema, `${schema}_keys`];
  // Quoted, pg_dump takes the name as it is rather than as a pattern.
  const args = ['--no-owner', '--no-privileges', ...schemas.map((name) => `--schema="${name.replaceAll('"', '""')}"`)];
  return { place: `pg_dump of schemas ${schemas.join(', ')}`, chunks: runPgDump(url, args, env) };
}

async function* runPgDump(url: string, args: string[], env: NodeJS.ProcessEnv): AsyncIterable<Buffer> {
  const child = spawn('pg_dump', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  exited.catch(() => {}); // awaited below, unless reading stdout failed first
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await exited;
    if (code !== 0) {
      const reason = stderr.split('\n').find((line) => line.trim() !== '')?.replace(/^pg_dump: (error: )?/, '') ?? `exit code ${code}`;
      throw new StoreOpenError(url, `pg_dump failed: ${reason}`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new StoreOpenError(url, 'pg_dump was not found: scanning a PostgreSQL store needs it on the PATH', { cause: error });
    }
    throw error;
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
