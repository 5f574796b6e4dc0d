// Operating the Lab: health, the projections' status (with this process's share of
// the work), and rebuilding a projection in the background while progress shows.

import type { FastifyInstance } from 'fastify';
import type { LabContext, RebuildShown } from './context.js';
import { HttpError, notFound } from './errors.js';

const nameParams = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
const noBody = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const;

export function operationRoutes(app: FastifyInstance, lab: LabContext, tokenRequired: boolean): void {
  app.get('/api/health', { schema: { querystring: noQuery } }, async () => ({
    status: 'ok',
    store: lab.store.kind,
    // The page shows its token field up front when writes need one.
    tokenRequired,
    headPosition: await lab.store.headPosition(),
    // Messages for other systems not yet acknowledged by NATS; with the relay off they wait in the log.
    outbox: await lab.outbox(),
  }));

  app.get('/api/projections', { schema: { querystring: noQuery } }, async () => {
    const statuses = await lab.projections.status();
    const headPosition = statuses[0]?.head ?? (await lab.store.headPosition());
    return {
      headPosition,
      projections: statuses.map(({ name, version, position, lag, state, error }) => ({
        name,
        version,
        position,
        lag,
        state,
        error,
        active: lab.active(name),
        rebuild: lab.rebuilds.get(name)?.shown ?? null,
      })),
    };
  });

  app.post<{ Params: { name: string } }>(
    '/api/projections/:name/rebuild',
    { schema: { params: nameParams, querystring: noQuery, body: noBody } },
    async (request, reply) => {
      const { name } = request.params;
      if (!lab.projectionNames.includes(name)) throw notFound(`no projection is called ${JSON.stringify(name.slice(0, 100))}`, { name });
      if (lab.rebuilds.has(name)) throw busy(name);
      // Claimed before the first await, so a second request in the same moment sees it.
      const shown: RebuildShown = { processed: 0, total: 0, eventsPerSecond: 0, etaSeconds: null };
      const entry = { shown, done: Promise.resolve() };
      lab.rebuilds.set(name, entry);
      try {
        const status = (await lab.projections.status()).find((s) => s.name === name);
        if (status?.state === 'rebuilding') throw busy(name);
        shown.total = status?.head ?? 0;
      } catch (error) {
        lab.rebuilds.delete(name);
        throw error;
      }
      entry.done = lab.projections
        .rebuild(name, {
          onProgress: (p) => Object.assign(shown, { processed: p.position, total: p.head, eventsPerSecond: p.eventsPerSecond, etaSeconds: p.etaSeconds ?? null }),
        })
        .then(
          () => {},
          // Taken over by another process, or the store closed under it: the status shows the outcome.
          (error: Error) => app.log.warn(`rebuild of projection ${name} ended early: ${error.message}`),
        )
        .finally(() => lab.rebuilds.delete(name));
      reply.code(202);
      return { name, rebuild: shown };
    },
  );
}

const busy = (name: string) => new HttpError(409, 'PROJECTION_BUSY', `projection ${name} is being rebuilt already`, { name });
