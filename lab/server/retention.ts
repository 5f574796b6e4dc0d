// Retention over HTTP: the blog's policies, a dry run (the plan: what would go, whom it
// would strand; nothing written), a prune run archiving into the Lab's archive folder,
// and the `$retention` stream's record of runs and restores, newest first (a run with
// the bytes measured once its space was given back, when the store recorded them).
//
// The Lab's own projections and review workflow count in a prune's guard like any
// consumer: a run waits (briefly) until they have read up to the head, so one right
// after a command is not refused for a moment's lag. A consumer that stays behind (a
// stopped process's, a failed projection) refuses the run unless it is forced.

import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import {
  pruneStore,
  registeredConsumers,
  retentionRecords,
  type EventStore,
  type RetentionPolicy,
} from '../../src/index.js';
import type { PrunePlanJson, PruneReportJson, RetentionPoliciesJson, RetentionRecordJson, RetentionRunsJson } from '../api-types.js';
import type { LabContext } from './context.js';
import { digits, readInt } from './json.js';
import { planJson, policyJson, recordJson } from './retention-json.js';

export interface RetentionSettings {
  policies: readonly RetentionPolicy[];
  /** The folder prune runs write their archives to. */
  archiveDir: string;
  /** The time the policies are judged at. */
  now: () => Date;
  /** How long a run waits for this Lab's consumers to reach the head before the guard reads their checkpoints. */
  catchUpMs: number;
}

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
const noBody = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const;
const pruneBody = { type: ['object', 'null'], additionalProperties: false, properties: { force: { type: 'boolean' } } } as const;
const runsQuery = { type: 'object', additionalProperties: false, properties: { limit: digits, before: digits } } as const;

export function retentionRoutes(app: FastifyInstance, lab: LabContext, settings: RetentionSettings): void {
  const { policies, archiveDir } = settings;

  app.get('/api/retention/policies', { schema: { querystring: noQuery } }, async (): Promise<RetentionPoliciesJson> => ({
    policies: policies.map(policyJson),
    archiveDir,
  }));

  app.post('/api/retention/dry-run', { schema: { querystring: noQuery, body: noBody } }, async (): Promise<PrunePlanJson> => {
    await catchUp(lab, settings.catchUpMs);
    const report = await pruneStore(lab.store, { policies, archiveDir, dryRun: true, now: settings.now() });
    return planJson(report.plan);
  });

  app.post<{ Body: { force?: boolean } | null }>('/api/retention/prune', { schema: { querystring: noQuery, body: pruneBody } }, async (request): Promise<PruneReportJson> => {
    const force = request.body?.force ?? false;
    await catchUp(lab, settings.catchUpMs);
    const report = await pruneStore(lab.store, { policies, archiveDir, force, now: settings.now() });
    const forced = report.run === undefined ? [] : report.plan.stranded.map((c) => `${c.kind} ${c.name}`);
    // Counts and ids only: what the events held never reaches the log.
    if (report.run !== undefined) request.log.info({ run: report.run, removed: report.removed, streams: report.plan.streams.length, forced: forced.length }, 'prune');
    return {
      run: report.run ?? null,
      removed: report.removed,
      changed: report.changed,
      archive: report.archive ?? null,
      bytesBefore: report.bytesBefore,
      bytesAfter: report.bytesAfter,
      forced,
      resumed: report.resumed,
      plan: planJson(report.plan),
    };
  });

  // A cursor is the version of the last record of a page; the next page is the records before it.
  app.get<{ Querystring: { limit?: string; before?: string } }>('/api/retention/runs', { schema: { querystring: runsQuery } }, async (request): Promise<RetentionRunsJson> => {
    const limit = readInt(request.query.limit, 'limit', { min: 1, max: 100, default: 20 });
    const before = readInt(request.query.before, 'before', { min: 1, default: Number.MAX_SAFE_INTEGER });
    // One more than asked, to know whether there is a next page.
    const records = await retentionPage(lab.store, before, limit + 1);
    const items = records.slice(0, limit);
    return { items: items.map(({ json }) => json), nextCursor: records.length > limit ? String(items.at(-1)!.version) : null };
  });
}

/** Up to `count` runs and restores before version `before`, newest first, as JSON with their versions. */
async function retentionPage(store: EventStore, before: number, count: number): Promise<{ version: number; json: RetentionRecordJson }[]> {
  const page: { version: number; json: RetentionRecordJson }[] = [];
  for await (const record of retentionRecords(store, before)) {
    page.push({ version: record.event.version, json: recordJson(record) });
    if (page.length === count) break;
  }
  return page;
}

/** Waits until this Lab's projections and workflows have read up to the head, or `timeoutMs` has passed. */
async function catchUp(lab: LabContext, timeoutMs: number): Promise<void> {
  const head = await lab.store.headPosition();
  const ours = (kind: string, name: string) =>
    (kind === 'projection' && lab.projectionNames.includes(name)) || (kind === 'workflow' && lab.workflowNames.includes(name));
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(20)) {
    const consumers = await registeredConsumers(lab.store);
    if (!consumers.some((c) => ours(c.kind, c.name) && c.position < head)) return;
  }
}
