// The outbox: integration messages recorded as OutboxMessage events, relayed to a
// broker at least once and in order per instance, and an inbox for consumers.

export {
  OUTBOX_MESSAGE,
  outboxMessage,
  guardOutboxMessages,
  type OutboxMessage,
  type OutboxMessageData,
} from './message.js';
export type { Publisher, PublishedMessage } from './publisher.js';
export {
  startOutboxRelay,
  outboxStatus,
  DEFAULT_OUTBOX_NAME,
  STREAM_ID_HEADER,
  STREAM_VERSION_HEADER,
  type OutboxFaults,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxStatus,
} from './relay.js';
export { natsPublisher, natsUrlFromEnv, DEFAULT_NATS_STREAM, type NatsPublisherOptions } from './nats.js';
export { consumeNats, type NatsConsumer, type NatsConsumerOptions, type ReceivedMessage } from './nats-consumer.js';
export { createInbox, type Inbox } from './inbox.js';
