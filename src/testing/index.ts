// eventline/testing: what store authors and application tests need.

export { eventStoreConformance, type ConformanceOptions } from './conformance/index.js';
export { postgresTestUrl, type PostgresTestDatabase } from './postgres.js';
