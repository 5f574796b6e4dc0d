// The conformance suite: one function that registers every case of the event-store
// contract with node:test, for any store. Each store's own test file is a few lines.

import { describe } from 'node:test';
import { badInputCases } from './bad-input.js';
import { concurrencyCases } from './concurrency.js';
import { contractCases } from './contract.js';
import { copyingCases } from './copying.js';
import { snapshotCases } from './snapshots.js';
import { subscriptionCases } from './subscriptions.js';
import { projectionCases } from './projections.js';
import { queryCases } from './queries.js';
import { retentionCases } from './retention.js';
import { maintenanceCases } from './maintenance.js';
import type { ConformanceOptions } from './suite.js';

export type { ConformanceOptions } from './suite.js';

/**
 * @example
 * import { eventStoreConformance } from 'eventline/testing';
 * eventStoreConformance({ name: 'memory', open: () => openEventStore('memory:') });
 */
export function eventStoreConformance(options: ConformanceOptions): void {
  describe(`event store conformance: ${options.name}`, () => {
    describe('contract', () => contractCases(options));
    describe('bad input', () => badInputCases(options));
    describe('concurrency', () => concurrencyCases(options));
    describe('snapshots', () => snapshotCases(options));
    describe('subscriptions', () => subscriptionCases(options));
    describe('projections', () => projectionCases(options));
    describe('queries', () => queryCases(options));
    describe('retention', () => retentionCases(options));
    describe('maintenance', () => maintenanceCases(options));
    describe('copying', () => copyingCases(options));
  });
}
