// The outbox relay as a participant of the workflow fault harness: the real relay runs
// beside each runtime, publishing to a broker that keeps in memory every message it
// was given, and crashes at the chosen `afterPublish`: the broker has the message, the
// relay's checkpoint has not moved past it. Its outcome is what a consumer relies on:
// which messages arrived, and whether each arrived whole, in its instance's order.

import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore } from '../store/event-store.js';
import { OUTBOX_TABLE } from '../workflows/outbox/checkpoint.js';
import { OUTBOX_MESSAGE } from '../workflows/outbox/message.js';
import type { PublishedMessage, Publisher } from '../workflows/outbox/publisher.js';
import { outboxStatus, startOutboxRelay, STREAM_ID_HEADER, STREAM_VERSION_HEADER } from '../workflows/outbox/relay.js';
import type { FaultParticipant } from './workflow-faults.js';

export interface OutboxParticipantOptions {
  /** The relay's name (its checkpoint and lease). Default 'outbox'. */
  name?: string;
  /** Messages the relay reads per page: the most it publishes again after a crash. Default 100. */
  batchSize?: number;
  /** How long `idle` waits for the relay to deliver up to the head of the log. Default 10 s. */
  idleTimeoutMs?: number;
}

/** What a consumer can rely on after a run: compared with the reference run's. */
export interface OutboxOutcome {
  /** Every broken promise: a message never delivered, delivered with other content, or first delivered out of its instance's order. Empty when all is well. */
  problems: string[];
  /** The id of every message the broker got, sorted, each once. */
  delivered: string[];
}

/** How one run went for the broker, in the order of the runs. */
export interface OutboxRunTally {
  /** Messages the broker was given, duplicates included. */
  published: number;
  /** Distinct message ids among them. */
  distinct: number;
}

export interface OutboxParticipant extends FaultParticipant {
  /** One tally per run the participant took part in, in order: the reference first. */
  readonly tallies: readonly OutboxRunTally[];
}

/**
 * The outbox relay, to pass to `runWorkflowFaults` in `participants`. Its point is
 * `afterPublish`; the redelivery run sets its checkpoint back to 0 as well, so every
 * message is published again.
 *
 * @example
 * const outbox = outboxParticipant();
 * await runWorkflowFaults({ store, workflows: [publishingFlow], commands, scenario, participants: [outbox], sample: 4 });
 * // outbox.tallies: how many messages each run published, and how many were duplicates
 */
export function outboxParticipant(options: OutboxParticipantOptions = {}): OutboxParticipant {
  const name = options.name ?? 'outbox';
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  // What each run's broker got, by the run's store (each run has a fresh one).
  const runs = new WeakMap<EventStore, { broker: PublishedMessage[]; tally: OutboxRunTally }>();
  const tallies: OutboxRunTally[] = [];
  const runOf = (store: EventStore) => {
    let run = runs.get(store);
    if (!run) {
      run = { broker: [], tally: { published: 0, distinct: 0 } };
      runs.set(store, run);
      tallies.push(run.tally);
    }
    return run;
  };

  return {
    name: `outbox ${name}`,
    points: ['afterPublish'],
    tallies,
    start(store, hit) {
      const { broker } = runOf(store);
      // A relay that crashed is a dead process: it publishes nothing more.
      let dead = false;
      const publisher: Publisher = {
        async publish(message) {
          if (dead) throw new Error('the process is down');
          broker.push({ ...message, payload: message.payload.slice(), headers: { ...message.headers } });
        },
        close: async () => {},
      };
      const relay = startOutboxRelay(store, {
        publisher,
        name,
        batchSize: options.batchSize,
        retryDelaysMs: [5, 10],
        pollIntervalMs: 20,
        leaseRetryMs: 20,
        logger: { warn: () => {} },
        faults: {
          async afterPublish() {
            try {
              await hit('afterPublish');
            } catch (error) {
              dead = true;
              throw error;
            }
          },
        },
      });
      return {
        stop: () => relay.stop(),
        async idle() {
          for (const deadline = Date.now() + idleTimeoutMs; ; ) {
            if (dead) throw new Error(`outbox ${name} is down`);
            if ((await outboxStatus(store, name)).undelivered === 0) return;
            if (Date.now() > deadline) throw new Error(`outbox ${name} did not deliver up to the head within ${idleTimeoutMs} ms`);
            await sleep(10);
          }
        },
      };
    },
    async rewind(store) {
      await store.readModels.transaction({ [OUTBOX_TABLE]: store.readModels.table(OUTBOX_TABLE) }, async (db) => {
        await db.run(`UPDATE {${OUTBOX_TABLE}} SET position = 0 WHERE name = $1`, [name]);
      });
    },
    async outcome(store) {
      const { broker, tally } = runOf(store);
      tally.published = broker.length;
      tally.distinct = new Set(broker.map((m) => m.id)).size;
      return outboxOutcome(store, broker);
    },
  };
}

/** Checks what the broker got against the store's outbox events. */
async function outboxOutcome(store: EventStore, broker: readonly PublishedMessage[]): Promise<OutboxOutcome> {
  const problems: string[] = [];
  const events = new Map<string, { subject: string; payload: string; streamId: string; version: number }>();
  for await (const event of store.readAll({ types: [OUTBOX_MESSAGE] })) {
    const { subject, payload } = event.data as { subject: string; payload: unknown };
    events.set(event.eventId, { subject, payload: JSON.stringify(payload), streamId: event.streamId, version: event.version });
  }
  const first = new Map<string, PublishedMessage>();
  const lastVersion = new Map<string, number>();
  const decoder = new TextDecoder();
  for (const message of broker) {
    const got = {
      subject: message.subject,
      payload: decoder.decode(message.payload),
      streamId: message.headers?.[STREAM_ID_HEADER],
      version: Number(message.headers?.[STREAM_VERSION_HEADER]),
    };
    const expected = events.get(message.id);
    if (!expected) {
      problems.push(`${message.id} is no outbox event of the store`);
      continue;
    }
    const earlier = first.get(message.id);
    if (earlier) {
      if (earlier.subject !== message.subject || decoder.decode(earlier.payload) !== got.payload) problems.push(`${message.id} arrived again with other content`);
      continue;
    }
    first.set(message.id, message);
    if (got.subject !== expected.subject || got.payload !== expected.payload || got.streamId !== expected.streamId || got.version !== expected.version) {
      problems.push(`${message.id} arrived otherwise than recorded`);
    }
    if ((lastVersion.get(expected.streamId) ?? 0) >= expected.version) problems.push(`${message.id} (${expected.streamId} version ${expected.version}) arrived out of order`);
    lastVersion.set(expected.streamId, expected.version);
  }
  for (const id of events.keys()) if (!first.has(id)) problems.push(`${id} never arrived`);
  return { problems, delivered: [...first.keys()].sort() };
}
