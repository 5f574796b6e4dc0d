// Schema 9: what is left of pruned events (src/retention): one small row each, so a
// stream's version keeps counting, a pruned event's id is answered as the retry it was,
// and a reader can tell where a stream now starts. The append functions are rendered
// again to look there; this step holds their current text (schema.ts).

import { appendEventFunction, appendEventsFunction } from './007-append-event.js';
import { appendBatchFunction } from './008-append-batch.js';
import type { Migration } from './migration.js';

export const prunedEvents: Migration = (names) => `
  -- A pruned event's place: its position, stream and version, and the id it was given
  -- (NULL: named after its position). The position sequence never goes back, so no
  -- position is handed out twice.
  CREATE TABLE ${names.s}.pruned_events (
    position  bigint PRIMARY KEY,
    stream_id text   NOT NULL,
    version   bigint NOT NULL,
    event_id  uuid,
    UNIQUE (stream_id, version)
  );
  CREATE UNIQUE INDEX pruned_events_event_id ON ${names.s}.pruned_events (event_id) WHERE event_id IS NOT NULL;
  ${appendEventsFunction(names, { prunedEvents: true })};
  ${appendEventFunction(names, { prunedEvents: true })};
  ${appendBatchFunction(names, { prunedEvents: true })};
  `;
