// The Eventline Lab's HTTP server: the blog's commands and review, its authors (their
// registration, subject-access export and erasure), read models, events, live feed,
// projections, workflow instances and retention (policies, dry run, prune, runs) over
// JSON, and the Lab's page. buildLab wires the parts; it does not listen (lab/main.ts
// does), so tests drive it in-process with inject().

import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import type { EventStore, Privacy, RetentionPolicy } from '../../src/index.js';
import { blogRetentionPolicies } from '../../examples/blog/index.js';
import { authorRoutes, loggedPath } from './authors.js';
import { requireTokenForWrites } from './auth.js';
import { commandRoutes } from './commands.js';
import { DEFAULT_ARCHIVE_DIR } from './config.js';
import { createContext, type NatsSettings, type ProjectionMode } from './context.js';
import { installErrorHandling, toHttp } from './errors.js';
import { eventRoutes } from './events.js';
import { liveRoutes } from './live.js';
import { operationRoutes } from './operations.js';
import { postRoutes } from './posts.js';
import { retentionRoutes } from './retention.js';
import { staticRoutes } from './static.js';
import { traceRequests } from './tracing.js';
import { workflowRoutes } from './workflows.js';

export type { NatsSettings, ProjectionMode } from './context.js';
export { toHttp, type ErrorBody } from './errors.js';
export { openPrivateStore, type PrivateStore } from './private-store.js';

export interface LabOptions {
  /** The store to serve, opened with `payloads: privacy.guard`; the caller opens it and closes it after `app.close()`. */
  store: EventStore;
  /** The store's crypto-shredding, attached to it (`privacy.attach(store)`): the authors' routes forget and export through it. */
  privacy: Privacy;
  /** How the blog's projections run in this process. Default 'async'. */
  projections?: ProjectionMode;
  /** When set, writes need `Authorization: Bearer <token>`. */
  token?: string;
  /** One JSON line per request on this stream (default stderr); false for none. */
  logger?: boolean | NodeJS.WritableStream;
  /** Where the built UI is. Default dist/lab-ui. */
  uiDir?: string;
  /** How long a command waits for the read models to have its events. Default 2000 ms. */
  readYourWritesMs?: number;
  /** The NATS server and JetStream stream the outbox relay publishes to; without it no relay runs. */
  nats?: NatsSettings;
  /** Tuning for tests: the projections', workflows' and relay's polling and lease retry, the timers' polling, the live feed's heartbeat. */
  pollIntervalMs?: number;
  leaseRetryMs?: number;
  timerPollMs?: number;
  /** Tuning for tests: the waits before each retry of a workflow step or command that throws, before the instance is parked. */
  workflowRetryDelaysMs?: readonly number[];
  heartbeatMs?: number;
  /** Where prune runs write their archives. Default ./archives. */
  archiveDir?: string;
  /** The retention policies the panel plans and runs. Default: the blog's (blogRetentionPolicies()). */
  retentionPolicies?: readonly RetentionPolicy[];
  /** For tests: the clock retention judges at (a draft is abandoned after a year of it). Default: the time of the request. */
  retentionNow?: () => Date;
}


/** Room for a post body at its limit of 100,000 characters, even if every one is escaped in the JSON. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * @example
 * const app = await buildLab({ store, privacy, logger: false }); // store opened with privacy.guard, privacy attached
 * const response = await app.inject({ method: 'GET', url: '/api/health' });
 */
export async function buildLab(options: LabOptions): Promise<FastifyInstance> {
  const stream = options.logger === undefined || options.logger === true ? process.stderr : options.logger;
  const app = Fastify({
    logger: stream === false ? false : { level: 'info', stream },
    // One line per request is written in onResponse below, without bodies or query strings.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Schemas are the contract: no silent dropping of unknown fields, no coercing "1" into 1.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    routerOptions: { maxParamLength: 1000 },
    // A URL the router cannot decode never reaches the error handler otherwise.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = toHttp(error);
      void (reply as FastifyReply).code(status).type('application/json; charset=utf-8').send(body);
    },
  });

  // JSON only (no text/plain), and an empty body counts as none, for the commands that need none.
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).length === 0) done(null, undefined);
    else parseJson(request, body as string, done);
  });

  installErrorHandling(app);
  traceRequests(app);
  if (options.token !== undefined) requireTokenForWrites(app, options.token);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    const path = loggedPath(route, request.url.split('?')[0] ?? '', request.params);
    request.log.info({ method: request.method, route: route ?? null, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  const readYourWritesMs = options.readYourWritesMs ?? 2000;
  const lab = createContext(options.store, options.privacy, {
    mode: options.projections ?? 'async',
    readYourWritesMs,
    ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
    ...(options.leaseRetryMs !== undefined && { leaseRetryMs: options.leaseRetryMs }),
    ...(options.timerPollMs !== undefined && { timerPollMs: options.timerPollMs }),
    ...(options.workflowRetryDelaysMs !== undefined && { workflowRetryDelaysMs: options.workflowRetryDelaysMs }),
    ...(options.nats !== undefined && { nats: options.nats }),
    logger: { warn: (message) => app.log.warn(message) },
  });

  commandRoutes(app, lab);
  authorRoutes(app, lab);
  postRoutes(app, lab);
  eventRoutes(app, lab);
  const live = liveRoutes(app, lab, { ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }) });
  workflowRoutes(app, lab);
  operationRoutes(app, lab, options.token !== undefined);
  retentionRoutes(app, lab, {
    policies: options.retentionPolicies ?? blogRetentionPolicies(),
    archiveDir: options.archiveDir ?? DEFAULT_ARCHIVE_DIR,
    now: options.retentionNow ?? (() => new Date()),
    catchUpMs: readYourWritesMs,
  });
  staticRoutes(app, options.uiDir);

  // Queries need the read models' tables: wait until each projection is set up and running.
  app.addHook('onReady', async () => {
    await Promise.all(lab.projectionNames.map((name) => lab.projections.waitFor(name, 0, 10_000).catch(() => {})));
  });
  // Live streams never end by themselves: end them before the server waits for in-flight requests.
  app.addHook('preClose', async () => {
    await live.endAll();
  });
  // After the last request: let rebuilds finish their work, then stop the workflows, the relay and the projections.
  app.addHook('onClose', async () => {
    await Promise.all([...lab.rebuilds.values()].map((r) => r.done));
    await lab.stop();
  });
  return app;
}
