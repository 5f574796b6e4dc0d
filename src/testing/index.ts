// eventline/testing: what store authors and application tests need.

export { eventStoreConformance, type ConformanceOptions } from './conformance/index.js';
export { postgresTestUrl, postgresUnavailable, type PostgresTestDatabase } from './postgres.js';
export { natsTestStreams, natsUnavailable, type NatsTestStreams } from './nats.js';
export { onEveryStore, testStores, type TestStore } from './test-stores.js';
export { deciderSpec, type DeciderSpec, type DeciderThen, type ExpectedError } from './decider-spec.js';
