import { openEventStore } from '../../src/index.js';
import { eventStoreConformance } from '../../src/testing/index.js';

eventStoreConformance({ name: 'memory', open: () => openEventStore('memory:') });
