// Event contracts: one approved JSON fixture per event type and schema version, made from
// the application's example events through its production codec, and the checks run on
// them: a current shape that changed without a version bump, an older fixture that no
// longer upcasts to a valid current event, and (with a corpus: a store or a retention
// archive) stored events that do not.

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyCodec, jsonCodec, type EventCodec } from '../core/codec.js';
import { isEventlineError } from '../core/errors.js';
import { nameProblem } from '../core/validation.js';
import { assertEventSchemas, SCHEMA_VERSION_KEY, storedVersionOf, type EventSchemas } from '../evolution/schemas.js';
import { shapeDifferences, shapeOf, type Shape } from '../evolution/shape.js';
import { manifestFileOf, readArchive, readManifest } from '../retention/archive.js';
import type { EventStore } from '../store/event-store.js';
import { UsageError } from './errors.js';
import { importUserModule } from './user-module.js';
import { quote } from './values.js';

/** What `--schemas <module>` exports. */
export interface ContractsModule {
  schemas: EventSchemas;
  /** One example event of the current version per type: what the fixtures are made from. */
  examples: readonly { type: string; data: unknown }[];
  /** The production codec; default JSON text. */
  codec: EventCodec<unknown>;
}

/** An approved fixture: `<dir>/<type>/v<version>.json`. */
export interface Fixture {
  type: string;
  version: number;
  data: unknown;
}

/** One thing a check found wrong: named by type and version (and position, in a corpus), never by value. */
export interface ContractProblem {
  type: string;
  version: number;
  position?: number;
  problem: string;
}

export async function loadContractsModule(path: string): Promise<ContractsModule> {
  const module = await importUserModule('schemas', path);
  try {
    assertEventSchemas(module.schemas);
  } catch {
    throw new UsageError(`--schemas: ${quote(path)} exports no "schemas" made by defineEventSchemas`);
  }
  const examples = module.examples;
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new UsageError(`--schemas: ${quote(path)} exports no "examples" (an array of example events { type, data }, one per type)`);
  }
  const seen = new Set<string>();
  for (const [i, example] of (examples as unknown[]).entries()) {
    const type = (example as { type?: unknown } | null)?.type;
    if (nameProblem(type) !== undefined) throw new UsageError(`--schemas: examples[${i}] has no valid event type`);
    if (seen.has(type as string)) throw new UsageError(`--schemas: two examples of ${quote(type as string)}: one fixture per type and version`);
    seen.add(type as string);
  }
  const codec = (module.codec ?? jsonCodec) as EventCodec<unknown>;
  if (typeof codec.encode !== 'function' || typeof codec.decode !== 'function') throw new UsageError(`--schemas: ${quote(path)} exports a "codec" that is not one`);
  return { schemas: module.schemas, examples: examples as ContractsModule['examples'], codec };
}

/** The data as a store hands it back after writing it with the codec: what a fixture holds. */
function throughCodec(module: ContractsModule, type: string, data: unknown, version?: number): { type: string; data: unknown } {
  const metadata = version === undefined ? undefined : { [SCHEMA_VERSION_KEY]: version };
  const { type: decodedType, data: decoded } = module.codec.decode(module.codec.encode({ type, data, metadata }));
  return { type: decodedType, data: decoded };
}

const fixturePath = (dir: string, type: string, version: number) => join(dir, type, `v${version}.json`);
const currentVersion = (schemas: EventSchemas, type: string) => schemas.versionOf(type) ?? 1;

/**
 * Writes the fixture of each example at its type's current version. A fixture already
 * approved at that version with another shape is left alone and reported, unless
 * `replace`: changing the shape of a version events may be stored at needs a bump.
 */
export async function approveContracts(module: ContractsModule, dir: string, replace: boolean): Promise<{ written: Fixture[]; refused: ContractProblem[] }> {
  const written: Fixture[] = [];
  const refused: ContractProblem[] = [];
  for (const example of module.examples) {
    const version = currentVersion(module.schemas, example.type);
    const { data } = throughCodec(module, example.type, example.data);
    const approved = await readFixture(dir, example.type, version);
    const differences = approved === undefined ? [] : shapeDifferences(shapeOf(approved.data), shapeOf(data));
    if (differences.length > 0 && !replace) {
      refused.push({ type: example.type, version, problem: `an approved fixture has another shape (${differences.join(', ')}): bump the version, or pass --replace if no event was ever stored at it` });
      continue;
    }
    const fixture: Fixture = { type: example.type, version, data };
    await mkdir(join(dir, example.type), { recursive: true });
    await writeFile(fixturePath(dir, example.type, version), JSON.stringify(fixture, null, 2) + '\n');
    written.push(fixture);
  }
  return { written, refused };
}

/** Every approved fixture under `dir`, by type and version. */
export async function readFixtures(dir: string): Promise<Fixture[]> {
  let types: string[];
  try {
    types = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  const fixtures: Fixture[] = [];
  for (const type of types.sort()) {
    for (const file of (await readdir(join(dir, type))).sort()) {
      const version = /^v([1-9]\d*)\.json$/.exec(file)?.[1];
      if (version === undefined) continue;
      const fixture = await readFixture(dir, type, Number(version));
      if (fixture !== undefined) fixtures.push(fixture);
    }
  }
  return fixtures;
}

async function readFixture(dir: string, type: string, version: number): Promise<Fixture | undefined> {
  let text: string;
  try {
    text = await readFile(fixturePath(dir, type, version), 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return { type, version, data: (JSON.parse(text) as { data: unknown }).data };
  } catch {
    throw new UsageError(`${fixturePath(dir, type, version)} is not JSON: approve it again`);
  }
}

/**
 * The contract problems of the module against the fixtures in `dir`: a current example
 * without a fixture, or whose shape is not the approved one at its version; an older
 * fixture that no longer upcasts, or upcasts to an invalid current event.
 */
export async function checkContracts(module: ContractsModule, dir: string): Promise<{ problems: ContractProblem[]; fixtures: number }> {
  const { schemas } = module;
  const problems: ContractProblem[] = [];
  const currentShapes = new Map<string, Shape>();
  const fixtures = await readFixtures(dir);
  for (const example of module.examples) {
    const version = currentVersion(schemas, example.type);
    const { data } = throughCodec(module, example.type, example.data);
    currentShapes.set(example.type, shapeOf(data));
    const approved = fixtures.find((f) => f.type === example.type && f.version === version);
    if (approved === undefined) {
      problems.push({ type: example.type, version, problem: 'no approved fixture (run eventline contracts approve)' });
      continue;
    }
    const differences = shapeDifferences(shapeOf(approved.data), shapeOf(data));
    if (differences.length > 0) problems.push({ type: example.type, version, problem: `the shape changed without a version bump: ${differences.join(', ')}` });
    const invalid = validationProblem(schemas, example.type, data);
    if (invalid !== undefined) problems.push({ type: example.type, version, problem: `the example is not valid: ${invalid}` });
  }
  for (const type of schemas.types) {
    if (!currentShapes.has(type)) problems.push({ type, version: currentVersion(schemas, type), problem: 'declared, but the module exports no example of it' });
  }
  for (const fixture of fixtures) {
    const type = schemas.currentTypeOf(fixture.type);
    if (type === fixture.type && fixture.version === currentVersion(schemas, type)) continue;
    const stored = throughCodec(module, fixture.type, fixture.data, fixture.version);
    const problem = upcastProblem(schemas, currentShapes, { type: stored.type, data: stored.data, version: fixture.version });
    if (problem !== undefined) problems.push({ type: fixture.type, version: fixture.version, problem });
  }
  return { problems, fixtures: fixtures.length };
}

/** What is wrong with a stored event once upcast: it does not upcast, or the current event it makes is not valid. */
function upcastProblem(schemas: EventSchemas, currentShapes: ReadonlyMap<string, Shape>, event: { type: string; data: unknown; version: number }): string | undefined {
  let up;
  try {
    up = schemas.upcast(event);
  } catch (error) {
    if (!isEventlineError(error)) throw error;
    const cause = error.cause instanceof Error ? ` (${error.cause.name})` : '';
    return `no longer upcasts: ${error.message}${cause}`;
  }
  // Upcasters run on every read: the same data must always make the same event.
  const again = schemas.upcast({ ...event, data: structuredClone(event.data) });
  if (JSON.stringify(again.data) !== JSON.stringify(up.data)) return `its upcasters answer differently for the same data: they must be pure`;
  const invalid = validationProblem(schemas, up.type, up.data);
  if (invalid !== undefined) return `upcasts to an invalid ${up.type} v${up.version}: ${invalid}`;
  // Without a validation of its own, a valid current event has the current example's shape.
  const shape = currentShapes.get(up.type);
  if (schemas.versionOf(up.type) === undefined || shape === undefined) return undefined;
  const differences = shapeDifferences(shape, shapeOf(up.data));
  return differences.length === 0 ? undefined : `upcasts to ${up.type} v${up.version} of another shape than the current one: ${differences.join(', ')}`;
}

function validationProblem(schemas: EventSchemas, type: string, data: unknown): string | undefined {
  try {
    return schemas.validate(type, data);
  } catch (error) {
    return `its validation threw${error instanceof Error ? ` (${error.name})` : ''}`;
  }
}

/** A stored event as the corpus check reads it: decoded, not upcast. */
export interface CorpusEvent {
  type: string;
  data: unknown;
  metadata: Record<string, unknown> | undefined;
  position: number;
}

/** The stored types a corpus check reads: every declared type and its older names. */
const corpusTypes = (schemas: EventSchemas) => schemas.types.flatMap((type) => schemas.storedTypesOf(type));

/** The events of the declared types in a store opened without schemas: as stored. */
export function storeCorpus(module: ContractsModule, store: EventStore): AsyncIterable<CorpusEvent> {
  const types = corpusTypes(module.schemas);
  return types.length === 0 ? (async function* () {})() : store.readAll({ types });
}

/**
 * The events of the declared types in a retention archive (`.jsonl.gz`), its hashes
 * checked as it is read, decoded with the codec of the store it came from: the memory
 * store's copies, else the module's codec (the SQL stores' JSON text by default).
 */
export async function* archiveCorpus(module: ContractsModule, file: string): AsyncIterable<CorpusEvent> {
  const { store } = await readManifest(manifestFileOf(file));
  const codec = store === 'memory' ? (copyCodec as EventCodec<unknown>) : module.codec;
  const types = new Set(corpusTypes(module.schemas));
  for await (const stored of readArchive(file)) {
    if (!types.has(stored.type)) continue;
    const { type, data, metadata } = codec.decode(stored);
    yield { type, data, metadata, position: stored.position };
  }
}

/**
 * Samples the stored events of each declared type (and older name) and version, up to
 * `sample` of each pair in log order, read as stored (decoded, not upcast), and puts
 * each through upcasting and validation: the shapes nobody wrote a fixture for.
 */
export async function checkCorpus(module: ContractsModule, events: AsyncIterable<CorpusEvent>, sample: number): Promise<{ problems: ContractProblem[]; sampled: number }> {
  const { schemas } = module;
  const currentShapes = new Map(module.examples.map((example) => [example.type, shapeOf(throughCodec(module, example.type, example.data).data)]));
  const taken = new Map<string, number>();
  const problems: ContractProblem[] = [];
  let sampled = 0;
  for await (const event of events) {
    const version = storedVersionOf(event.metadata);
    const pair = `${event.type}\u0000${version}`;
    const count = taken.get(pair) ?? 0;
    if (count >= sample) continue;
    taken.set(pair, count + 1);
    sampled++;
    const problem = upcastProblem(schemas, currentShapes, { type: event.type, data: event.data, version });
    if (problem !== undefined) problems.push({ type: event.type, version, position: event.position, problem });
  }
  return { problems, sampled };
}

/** One problem as a line: `PostWasCreated v1 at position 12: …`. */
export function problemLine({ type, version, position, problem }: ContractProblem): string {
  return `${type} v${Number.isNaN(version) ? '?' : version}${position === undefined ? '' : ` at position ${position}`}: ${problem}`;
}
