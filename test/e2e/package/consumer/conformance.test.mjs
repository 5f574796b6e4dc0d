// Eventline's conformance suite, run on an EventStore the project builds itself over
// its own storage. Without freshUrl the cases that need other processes skip, saying why.
import { createEventStore } from 'eventline/storage';
import { eventStoreConformance } from 'eventline/testing';
import { openOwnStorage } from './own-storage.mjs';

eventStoreConformance({ name: 'own storage', open: async () => createEventStore(await openOwnStorage()) });
