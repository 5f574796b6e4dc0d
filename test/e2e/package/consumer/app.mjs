// The project's application: on each store URL it is given, appends a post's first
// events, is refused a second start of the stream, and prints what it reads back as
// one JSON line.
import { ConcurrencyError, openEventStore } from 'eventline';

for (const url of process.argv.slice(2)) {
  const store = await openEventStore(url);
  try {
    const created = { type: 'PostWasCreated', data: { title: 'Hello' } };
    await store.appendToStream('post-1', [created, { type: 'PostWasPublished', data: {} }], { expectedVersion: 'no_stream' });
    const refused = await store.appendToStream('post-1', [created], { expectedVersion: 'no_stream' }).then(
      () => false,
      (error) => error instanceof ConcurrencyError,
    );
    const events = await store.readStream('post-1');
    console.log(JSON.stringify({ url, kind: store.kind, refused, events: events.map((e) => [e.version, e.type, e.data]) }));
  } finally {
    await store.close();
  }
}
