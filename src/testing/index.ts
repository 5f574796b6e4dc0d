// eventline/testing: what store authors and application tests need.

export { eventStoreConformance, type ConformanceOptions } from './conformance/index.js';
export { postgresTestUrl, postgresUnavailable, type PostgresTestDatabase } from './postgres.js';
export { testStores, type TestStore } from './test-stores.js';
