// The NATS client packages, an optional peer of Eventline, imported only when an
// application first talks to NATS. Their types stay in this module, which no public
// declaration names, so an application without them type-checks.

type Transport = typeof import('@nats-io/transport-node');
type JetStreamModule = typeof import('@nats-io/jetstream');
export type NatsConnection = Awaited<ReturnType<Transport['connect']>>;
export type JetStreamClient = ReturnType<JetStreamModule['jetstream']>;

export interface NatsClient {
  transport: Transport;
  jetstream: JetStreamModule;
}

/** The client packages, imported only when an application first talks to NATS. */
export async function loadNats(): Promise<NatsClient> {
  try {
    const [transport, jetstream] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
    return { transport, jetstream };
  } catch (error) {
    const { code } = error as { code?: unknown };
    if (code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error('the NATS outbox needs its client: npm install @nats-io/transport-node @nats-io/jetstream', { cause: error });
  }
}
