// The consumer's side of the outbox over NATS JetStream: a durable consumer whose
// messages go through an inbox, so each takes effect once in the consumer's own
// database, then is acknowledged. Messages are handled one at a time in the order
// JetStream delivers them; a handler that fails is retried in place, so a later
// message never overtakes it. For that order, run one process per durable consumer.

import type { JsonValue } from '../../core/events.js';
import { assertName } from '../../core/validation.js';
import type { ReadModelDb, ReadModelTables } from '../../store/read-models.js';
import { delay } from '../../store/wakeup.js';
import type { Inbox } from './inbox.js';
import { assertStreamName } from './nats.js';
import { loadNats } from './nats-client.js';

export interface ReceivedMessage {
  /** Nats-Msg-Id: the outbox event's id. */
  id: string;
  subject: string;
  payload: JsonValue;
  headers: Record<string, string>;
  /** Its sequence number in the JetStream stream. */
  sequence: number;
}

export interface NatsConsumerOptions {
  url: string;
  stream: string;
  /** The durable consumer's name: where JetStream keeps this consumer's place. */
  durable: string;
  /** Only messages on this subject (wildcards allowed). Default: every subject of the stream. */
  subject?: string;
  inbox: Inbox;
  /** Runs in the inbox's transaction; `tables` name the consumer's own tables for its SQL. */
  handle(message: ReceivedMessage, db: ReadModelDb): Promise<void>;
  tables?: ReadModelTables;
  /** Waits before each retry of a failing handler; the last one repeats. Default [100, 500, 2000]. */
  retryDelaysMs?: readonly number[];
  logger?: { warn(message: string): void };
}

export interface NatsConsumer {
  /** Stops after the message in hand, and closes the connection. */
  stop(): Promise<void>;
}

/**
 * @example
 * const inbox = createInbox(readModels, 'notifier');
 * const consumer = await consumeNats({ url, stream: 'EVENTLINE', durable: 'notifier', subject: 'blog.posts.>', inbox,
 *   handle: async (message, db) => { await db.run('INSERT INTO {sent} (post_id) VALUES ($1)', [(message.payload as { postId: string }).postId]); },
 *   tables: { sent: readModels.table('sent') } });
 */
export async function consumeNats(options: NatsConsumerOptions): Promise<NatsConsumer> {
  const { url, stream, durable, subject, inbox, handle, tables } = options;
  assertName(url, 'url');
  assertStreamName(stream, 'stream');
  assertStreamName(durable, 'durable');
  if (subject !== undefined) assertName(subject, 'subject');
  const retryDelaysMs = options.retryDelaysMs ?? [100, 500, 2000];
  const logger = options.logger ?? console;

  const { transport, jetstream } = await loadNats();
  const nc = await transport.connect({ servers: url, name: `eventline-inbox-${inbox.name}`, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  try {
    const jsm = await jetstream.jetstreamManager(nc);
    const exists = await jsm.consumers.info(stream, durable).catch(() => undefined);
    if (!exists) {
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: jetstream.AckPolicy.Explicit,
        ...(subject === undefined ? {} : { filter_subject: subject }),
      });
    }
    const messages = await (await jetstream.jetstream(nc).consumers.get(stream, durable)).consume();
    let stopped = false;
    let endPause: (() => void) | undefined;

    const running = (async () => {
      for await (const m of messages) {
        const headers = Object.fromEntries((m.headers?.keys() ?? []).map((key) => [key, m.headers!.get(key)]));
        const received = { id: headers['Nats-Msg-Id'] || `${stream}:${m.seq}`, subject: m.subject, headers, sequence: m.seq };
        let payload: JsonValue;
        try {
          payload = m.json<JsonValue>();
        } catch (error) {
          // No retry can make this message readable: JetStream is told to drop it.
          logger.warn(`consumer ${durable}: dropping ${received.id}, whose payload is not JSON: ${(error as Error).message}`);
          m.term('payload is not JSON');
          continue;
        }
        for (let attempt = 0; ; attempt++) {
          try {
            await inbox.handleOnce(received.id, (db) => handle({ ...received, payload }, db), tables ? { tables } : {});
            m.ack();
            break;
          } catch (error) {
            if (attempt === 0) logger.warn(`consumer ${durable}: handling ${received.id} failed, retrying: ${(error as Error).message}`);
            if (stopped) {
              m.nak();
              return;
            }
            m.working();
            await delay(retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)]!, (cut) => (endPause = cut));
          }
        }
        if (stopped) return;
      }
    })();

    return {
      async stop() {
        stopped = true;
        endPause?.();
        messages.stop();
        await running;
        await nc.close();
      },
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
