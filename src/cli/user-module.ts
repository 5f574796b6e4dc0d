// Commands that need the application's own code (its projections, its decider) load
// it from a module path. One loader, so every command reports a bad module alike.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Projection } from '../projections/projection.js';
import type { Workflow } from '../workflows/definition.js';
import { UsageError } from './errors.js';
import { quote } from './values.js';

/** Imports the module at `path` (from the working directory); failures are usage errors of `--option`. */
export async function importUserModule(option: string, path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(resolve(process.cwd(), path)).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint = code === 'ERR_UNKNOWN_FILE_EXTENSION' ? ' (a .ts module needs tsx: NODE_OPTIONS="--import tsx")' : '';
    const reason = (error as Error).message.split('\n')[0]!.replace(/ imported from .*$/, '');
    throw new UsageError(`--${option}: cannot load ${quote(path)}: ${reason}${hint}`);
  }
}

/** The projections a module exports as `projections` or by default, with distinct names. */
export async function loadProjections(path: string): Promise<Projection[]> {
  const module = await importUserModule('projections', path);
  const candidate = module.projections ?? module.default;
  if (!Array.isArray(candidate) || candidate.length === 0 || !candidate.every(isProjection)) {
    throw new UsageError(`--projections: ${quote(path)} exports no projections (export an array of defineProjection(…) values as "projections" or as the default)`);
  }
  const names = candidate.map((p) => p.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--projections: ${quote(path)} has two projections called ${quote(twice)}`);
  return candidate;
}

function isProjection(value: unknown): value is Projection {
  const p = value as Partial<Projection> | null;
  return (
    typeof p === 'object' && p !== null && typeof p.name === 'string' && Array.isArray(p.tables) && Array.isArray(p.eventTypes) &&
    typeof p.setup === 'function' && typeof p.handle === 'function'
  );
}

/**
 * The workflows a module exports: every export made with defineWorkflow (it has a
 * `hash` and a `decide`), and those in an exported array, each once.
 */
export async function loadWorkflows(path: string): Promise<Workflow[]> {
  const module = await importUserModule('workflows', path);
  const found = new Set<Workflow>();
  for (const value of Object.values(module)) {
    for (const candidate of Array.isArray(value) ? value : [value]) if (isWorkflow(candidate)) found.add(candidate);
  }
  if (found.size === 0) {
    throw new UsageError(`--workflows: ${quote(path)} exports no workflows (export the values defineWorkflow(…) returns, or an array of them)`);
  }
  const workflows = [...found];
  const keys = workflows.map((w) => `${w.name} version ${w.version}`);
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice !== undefined) throw new UsageError(`--workflows: ${quote(path)} exports two definitions of ${twice}`);
  return workflows;
}

function isWorkflow(value: unknown): value is Workflow {
  const w = value as Partial<Workflow> | null;
  return typeof w === 'object' && w !== null && typeof w.hash === 'string' && typeof w.decide === 'function' && typeof w.name === 'string';
}
