// What the outbox relay needs of a broker, and no more: publish one message and say
// when the broker has it. The NATS JetStream publisher (nats.ts) is one; a test or an
// application can bring any other.

export interface PublishedMessage {
  /** The message id the broker deduplicates by: the outbox event's id. */
  id: string;
  subject: string;
  payload: Uint8Array;
  headers?: Readonly<Record<string, string>>;
}

export interface Publisher {
  /**
   * Resolves once the broker has stored the message (its ack), and rejects when that is
   * not known: the relay then publishes the same message again, under the same id.
   */
  publish(message: PublishedMessage): Promise<void>;
  close(): Promise<void>;
}
