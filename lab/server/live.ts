// The live feed: Server-Sent Events, one per recorded event, `id` its position. A
// client that reconnects sends Last-Event-ID and resumes right after it; the store's
// subscription catches up, then follows appends from this or any other process.

import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { RecordedEvent } from '../../src/index.js';
import type { LabContext } from './context.js';
import { digits, eventJson, readInt } from './json.js';

export const HEARTBEAT_MS = 15_000;

export interface LiveStreams {
  /** Ends every open stream (the server is shutting down); resolves once their subscriptions stopped. */
  endAll(): Promise<void>;
}

const liveQuery = { type: 'object', additionalProperties: false, properties: { after: digits } } as const;
const lastEventIdHeaders = { type: 'object', properties: { 'last-event-id': digits } } as const;

export function liveRoutes(app: FastifyInstance, lab: LabContext, options: { heartbeatMs?: number } = {}): LiveStreams {
  const open = new Set<() => Promise<void>>();
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;

  app.get<{ Querystring: { after?: string }; Headers: { 'last-event-id'?: string } }>(
    '/api/events/live',
    // No HEAD twin: it would open a stream that never ends, with nothing to read.
    { schema: { querystring: liveQuery, headers: lastEventIdHeaders }, exposeHeadRoute: false },
    async (request, reply) => {
      const resumeFrom = request.headers['last-event-id'] ?? request.query.after;
      const field = request.headers['last-event-id'] === undefined ? 'after' : 'Last-Event-ID';
      const after = resumeFrom === undefined ? await lab.store.headPosition() : readInt(resumeFrom, field, { min: 0, default: 0 });

      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Proxies such as nginx would otherwise hold events back.
        'x-accel-buffering': 'no',
      });
      raw.write(': connected\n\n');

      const subscription = lab.store.subscribe({ after, handler: (event) => send(raw, event) });
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
      let ended: Promise<void> | undefined;
      const end = () =>
        (ended ??= (async () => {
          clearInterval(heartbeat);
          open.delete(end);
          await subscription.stop().catch(() => {});
          if (!raw.writableEnded) raw.end();
        })());
      open.add(end);
      raw.on('close', () => void end());
      // A handler that failed (the socket broke mid-write) ends the stream too.
      subscription.done.catch(() => end());
    },
  );

  return {
    async endAll() {
      await Promise.all([...open].map((end) => end()));
    },
  };
}

/** Writes one event; waits while the client is slow, so a slow reader slows the subscription, not memory. */
function send(raw: ServerResponse, event: RecordedEvent): Promise<void> | void {
  if (raw.destroyed || raw.writableEnded) return;
  if (raw.write(`id: ${event.position}\ndata: ${JSON.stringify(eventJson(event))}\n\n`)) return;
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}
