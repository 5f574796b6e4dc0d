// The outbox relay: follows the OutboxMessage events of the log in position order,
// publishes each under its event id, and moves its checkpoint only past what the
// broker acknowledged. A broker that is down or slow is retried with back-off for as
// long as it takes; nothing is skipped, and the lag shows in status(). One relay per
// store and name runs at a time (the store's lease); a standby takes over when it dies.

import { ValidationError, type CheckpointMismatchError } from '../../core/errors.js';
import type { RecordedEvent } from '../../core/events.js';
import { assertCount, assertName } from '../../core/validation.js';
import type { EventStore } from '../../store/event-store.js';
import { assertCheckpointBelongs } from '../../store/checkpoint-epoch.js';
import { createPauses, runWhileLeased, takeLease } from '../../store/leased-loop.js';
import type { Lease } from '../../store/read-models.js';
import { createWakeup } from '../../store/wakeup.js';
import { activeTraceHeaders, observePublish } from '../../telemetry/index.js';
import { OUTBOX_TABLE, outboxCheckpoints } from './checkpoint.js';
import { messageOf, OUTBOX_MESSAGE, type OutboxMessage } from './message.js';
import type { PublishedMessage, Publisher } from './publisher.js';

export interface OutboxRelayOptions {
  publisher: Publisher;
  /** Names the relay's checkpoint and lease; relays of different names deliver independently. Default 'outbox'. */
  name?: string;
  /** Messages read per page, and the most published again after a crash. Default 100. */
  batchSize?: number;
  /** Waits before each retry of a publish that failed; the last one repeats for as long as it keeps failing. Default [100, 250, 500, 1000, 2000, 5000]. */
  retryDelaysMs?: readonly number[];
  /** Fallback polling when no change notice arrives. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How often a relay without the lease tries to take it over. Default 2000 ms. */
  leaseRetryMs?: number;
  logger?: { warn(message: string): void };
  /** Stops at chosen points, for fault-injection tests. */
  faults?: OutboxFaults;
}

/** Where fault-injection tests stop a relay; see the workflow fault harness in eventline/testing. */
export interface OutboxFaults {
  /** After the broker acknowledged a message, before the checkpoint moves past it: a throw stops the relay there, as a crash would. */
  afterPublish?(message: OutboxMessage): void | Promise<void>;
}

export interface OutboxStatus {
  name: string;
  /** The position of the last message the broker acknowledged (0: none yet). */
  position: number;
  /** The store's newest position. */
  head: number;
  /** OutboxMessage events after `position`: recorded, not yet acknowledged. */
  undelivered: number;
  /** Why the last publish failed, until one succeeds again. */
  lastError: string | null;
  lastDeliveredAt: Date | null;
}

export interface OutboxRelay {
  status(): Promise<OutboxStatus>;
  /** Why the relay stopped for good: its checkpoint does not belong to the store (eventline recover). */
  halted(): CheckpointMismatchError | undefined;
  /** Stops after the publish in flight settles; the publisher stays open (its owner closes it). */
  stop(): Promise<void>;
}

export const DEFAULT_OUTBOX_NAME = 'outbox';

/** Headers every message carries, so a consumer can tell an instance's messages apart and in order. */
export const STREAM_ID_HEADER = 'Eventline-Stream-Id';
export const STREAM_VERSION_HEADER = 'Eventline-Stream-Version';

/**
 * @example
 * const publisher = natsPublisher({ url: 'nats://127.0.0.1:4222', subjects: ['blog.>'] });
 * const relay = startOutboxRelay(store, { publisher });
 * // … on shutdown:
 * await relay.stop();
 * await publisher.close();
 */
export function startOutboxRelay(store: EventStore, options: OutboxRelayOptions): OutboxRelay {
  const name = options.name ?? DEFAULT_OUTBOX_NAME;
  assertName(name, 'name');
  const batchSize = options.batchSize ?? 100;
  assertCount(batchSize, 'batchSize', 1, 10_000);
  const retryDelaysMs = options.retryDelaysMs ?? [100, 250, 500, 1000, 2000, 5000];
  if (!Array.isArray(retryDelaysMs) || retryDelaysMs.length === 0) throw new ValidationError('retryDelaysMs', 'must be a non-empty array');
  retryDelaysMs.forEach((ms, i) => assertCount(ms, `retryDelaysMs[${i}]`, 0));
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  assertCount(pollIntervalMs, 'pollIntervalMs', 1);
  const leaseRetryMs = options.leaseRetryMs ?? 2000;
  assertCount(leaseRetryMs, 'leaseRetryMs', 1);
  const { publisher } = options;
  const faults = options.faults ?? {};
  const logger = options.logger ?? console;
  const readModels = store.readModels;

  let stopped = false;
  let halted: CheckpointMismatchError | undefined;
  const wakeup = createWakeup();
  const unwatch = store.watch(wakeup.nudge);
  const { pause, cutAll } = createPauses();

  /** Publishes until the broker acknowledges; false when the relay stopped or lost its lease first. */
  async function deliver(message: OutboxMessage, lease: Lease, beforeRetry: (error: string) => Promise<void>): Promise<boolean> {
    const published = toPublished(message);
    for (let attempt = 0; ; attempt++) {
      try {
        await publisher.publish(published);
      } catch (error) {
        const text = `publishing ${message.id} on ${message.subject} failed: ${(error as Error)?.message ?? String(error)}`;
        // Once per outage, not once per retry.
        if (attempt === 0) logger.warn(`outbox ${name}: ${text}; retrying with back-off`);
        await beforeRetry(text);
        if (stopped || !lease.held) return false;
        await pause(retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)]!);
        if (stopped || !lease.held) return false;
        continue;
      }
      // Outside the try: what throws here stops the relay, it is no failed publish to retry.
      await faults.afterPublish?.(message);
      return true;
    }
  }

  async function follow(lease: Lease): Promise<void> {
    let checkpoint = (await outboxCheckpoints.ensure(readModels, name)).position;
    await assertCheckpointBelongs(store, { kind: 'outbox relay', name, table: OUTBOX_TABLE });
    while (!stopped && lease.held) {
      await wakeup.wait(pollIntervalMs);
      const events = await store.readAllPage({ after: checkpoint, types: [OUTBOX_MESSAGE], batchSize });
      let acknowledged = checkpoint;
      // Saves what the broker has so far, so the lag shows while a publish keeps failing.
      const beforeRetry = async (error: string) => {
        if (acknowledged > checkpoint) await outboxCheckpoints.delivered(readModels, name, (checkpoint = acknowledged));
        await outboxCheckpoints.failed(readModels, name, error);
      };
      for (const event of events) {
        const message = messageOf(event);
        if ('problem' in message) warnSkipped(event, message.problem);
        else if (!(await observePublish(name, event, () => deliver(message, lease, beforeRetry)))) break;
        acknowledged = event.position;
      }
      if (acknowledged > checkpoint) await outboxCheckpoints.delivered(readModels, name, (checkpoint = acknowledged));
      // A full page: more is waiting, read it after a turn of the event loop.
      if (events.length === batchSize) wakeup.nudge();
    }
  }

  /** Only an OutboxMessage appended past every check gets here: it can never be published, so it is passed by, loudly. */
  function warnSkipped(event: RecordedEvent, problem: string): void {
    logger.warn(`outbox ${name}: skipping ${event.eventId} at position ${event.position} in ${event.streamId}, which no broker can take: ${problem}`);
  }

  const running = runWhileLeased({
    tryLease: () => takeLease(readModels, `outbox:${name}`),
    isStopped: () => stopped,
    pause,
    leaseRetryMs,
    onError: (error) => logger.warn(`outbox ${name} stopped by an error and will resume: ${error.message}`),
    onHalt: (error) => logger.warn((halted = error).message),
    work: follow,
  }).finally(unwatch);

  return {
    status: () => outboxStatus(store, name),
    halted: () => halted,
    async stop() {
      stopped = true;
      wakeup.nudge();
      cutAll();
      await running;
    },
  };
}

/**
 * How far an outbox's delivery is, read from the store alone: no relay needs to run
 * here, and nothing is created (a store that never ran one is at checkpoint 0).
 */
export async function outboxStatus(store: EventStore, name: string = DEFAULT_OUTBOX_NAME): Promise<OutboxStatus> {
  assertName(name, 'name');
  const checkpoint = await outboxCheckpoints.read(store.readModels, name);
  const head = await store.headPosition();
  let undelivered = 0;
  const messages = store.readAll({ after: checkpoint.position, before: head + 1, types: [OUTBOX_MESSAGE], batchSize: 1000 });
  for await (const _ of messages) undelivered++;
  return {
    name,
    position: checkpoint.position,
    head,
    undelivered,
    lastError: checkpoint.lastError,
    lastDeliveredAt: checkpoint.lastDeliveredAt === null ? null : new Date(checkpoint.lastDeliveredAt),
  };
}

function toPublished(message: OutboxMessage): PublishedMessage {
  return {
    id: message.id,
    subject: message.subject,
    payload: new TextEncoder().encode(JSON.stringify(message.payload)),
    // Published inside its span: a consumer that reads traceparent continues the trace.
    headers: { [STREAM_ID_HEADER]: message.streamId, [STREAM_VERSION_HEADER]: String(message.version), ...activeTraceHeaders() },
  };
}
