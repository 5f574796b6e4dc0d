// NATS JetStream for the outbox: a publisher whose ack is JetStream's, deduplicating by
// Nats-Msg-Id = the outbox event's id. The client is an optional peer, loaded on first use.
// Client: @nats-io/transport-node + @nats-io/jetstream (v3), not nats v2: as fast one publish
// at a time (~6.7k vs ~6.2k acked msg/s here), faster pipelined, smaller, and where fixes land.

import { ValidationError } from '../../core/errors.js';
import { assertCount, assertName } from '../../core/validation.js';
import { loadNats, type JetStreamClient, type NatsClient, type NatsConnection } from './nats-client.js';
import type { PublishedMessage, Publisher } from './publisher.js';

/** EVENTLINE_NATS_URL, or undefined when it is unset or blank: the application then runs no relay. */
export function natsUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.EVENTLINE_NATS_URL?.trim();
  return url ? url : undefined;
}

export interface NatsPublisherOptions {
  /** e.g. nats://127.0.0.1:4222 */
  url: string;
  /** The JetStream stream the messages land in. Default 'EVENTLINE'. */
  stream?: string;
  /** The subjects the stream captures (e.g. ['blog.>']), added to it when missing; the stream is created with them when it does not exist. */
  subjects?: readonly string[];
  /** How long JetStream remembers a message id, when it creates the stream. Default: the server's (two minutes). */
  duplicateWindowMs?: number;
  /** How long to wait for JetStream's ack before the publish counts as failed. Default 5000 ms. */
  timeoutMs?: number;
}

export const DEFAULT_NATS_STREAM = 'EVENTLINE';

/**
 * Connects on the first publish, and again after a connection closed, so a relay can
 * start while NATS is down; while the connection is being re-established, publishes
 * wait for it until their timeout.
 *
 * @example
 * const url = natsUrlFromEnv();
 * if (url) startOutboxRelay(store, { publisher: natsPublisher({ url, subjects: ['blog.>'] }) });
 */
export function natsPublisher(options: NatsPublisherOptions): Publisher {
  const { url } = options;
  assertName(url, 'url');
  const stream = options.stream ?? DEFAULT_NATS_STREAM;
  assertStreamName(stream, 'stream');
  const subjects = options.subjects ?? [];
  if (!Array.isArray(subjects)) throw new ValidationError('subjects', 'must be an array of subjects');
  subjects.forEach((subject, i) => assertName(subject, `subjects[${i}]`));
  if (options.duplicateWindowMs !== undefined) assertCount(options.duplicateWindowMs, 'duplicateWindowMs', 1);
  const timeoutMs = options.timeoutMs ?? 5000;
  assertCount(timeoutMs, 'timeoutMs', 1);

  let session: Promise<{ nc: NatsConnection; js: JetStreamClient; client: NatsClient }> | undefined;
  let streamReady = false;
  let closed = false;

  function connect() {
    session ??= (async () => {
      const client = await loadNats();
      const nc = await client.transport.connect({ servers: url, name: 'eventline-outbox', maxReconnectAttempts: -1, reconnectTimeWait: 500 });
      // A connection closed for good (not one reconnecting) is replaced at the next publish.
      void nc.closed().then(() => {
        session = undefined;
        streamReady = false;
      });
      return { nc, js: client.jetstream.jetstream(nc, { timeout: timeoutMs }), client };
    })().catch((error: unknown) => {
      session = undefined;
      throw error;
    });
    return session;
  }

  async function ensureStream(nc: NatsConnection, client: NatsClient): Promise<void> {
    const jsm = await client.jetstream.jetstreamManager(nc, { timeout: timeoutMs });
    const info = await jsm.streams.info(stream).catch((error: unknown) => {
      if (error instanceof client.jetstream.JetStreamApiError && error.code === client.jetstream.JetStreamApiCodes.StreamNotFound) return undefined;
      throw error;
    });
    if (!info) {
      if (subjects.length === 0) throw new ValidationError('subjects', `must name the subjects to create the JetStream stream ${stream} with, which does not exist`);
      const window = options.duplicateWindowMs === undefined ? {} : { duplicate_window: client.transport.nanos(options.duplicateWindowMs) };
      await jsm.streams.add({ name: stream, subjects: [...subjects], ...window });
      return;
    }
    const current = info.config.subjects ?? [];
    const missing = subjects.filter((subject) => !current.includes(subject));
    if (missing.length > 0) await jsm.streams.update(stream, { subjects: [...current, ...missing] });
  }

  return {
    async publish(message: PublishedMessage) {
      if (closed) throw new ValidationError('publisher', 'is closed');
      const { nc, js, client } = await connect();
      try {
        if (!streamReady) await ensureStream(nc, client);
        streamReady = true;
        const headers = client.transport.headers();
        for (const [key, value] of Object.entries(message.headers ?? {})) headers.set(key, value);
        await js.publish(message.subject, message.payload, { msgID: message.id, headers, timeout: timeoutMs });
      } catch (error) {
        // The stream may have gone with the server's state: make sure of it again next time.
        streamReady = false;
        throw error;
      }
    },
    async close() {
      closed = true;
      const current = await session?.catch(() => undefined);
      await current?.nc.close();
    },
  };
}

/** JetStream stream names may not contain white space, '.', '*', '>', or path separators. */
export function assertStreamName(name: unknown, field: string): asserts name is string {
  assertName(name, field);
  if (/[\s.*>/\\]/.test(name)) throw new ValidationError(field, `must not contain white space, '.', '*', '>', '/' or '\\', got ${JSON.stringify(name)}`);
}
