import { after, test } from 'node:test';
import { openEventStore } from '../../src/index.js';
import { eventStoreConformance, postgresTestUrl } from '../../src/testing/index.js';

const postgres = postgresTestUrl();
if (postgres) {
  after(() => postgres.dropAll());
  eventStoreConformance({ name: 'postgres', open: async () => openEventStore(await postgres.freshUrl()), freshUrl: postgres.freshUrl });
} else {
  test('event store conformance: postgres', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
}
