// Appends one event and holds the transaction open for a while before it commits
// or rolls back: the slow writer that ordering bugs need.
// Usage: hold <store-url> <stream-id> <event-id> <hold-ms> <commit|rollback>
// Prints "holding" once the event is written but not committed, then {"outcome": …}.

import { openStorage } from '../../open/open-store.js';

class RolledBack extends Error {}

const [url, streamId, eventId, holdMs, outcome] = process.argv.slice(2);
const storage = await openStorage(url!);
try {
  if (!storage.appendWithHook) throw new Error(`the ${storage.kind} store cannot hold a transaction open`);
  const event = { eventId: eventId!, type: 'Held', data: JSON.stringify({ outcome }), metadata: null };
  await storage
    .appendWithHook(streamId!, [event], 'any', async () => {
      console.log('holding');
      await new Promise((resolve) => setTimeout(resolve, Number(holdMs)));
      if (outcome === 'rollback') throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  console.log(JSON.stringify({ outcome }));
} finally {
  await storage.close();
}
