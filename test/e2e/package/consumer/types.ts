// What an application, a store author and their tests write, type-checked against the
// installed package (with app.mjs and the rest, through checkJs): each name comes from
// the entry meant for its reader.
import { DomainError, openEventStore, type Decider, type EventStore, type OpenOptions, type RecordedEvent } from 'eventline';
import { createEventStore, type EventStorage, type StoredEvent } from 'eventline/storage';
import { deciderSpec, type ConformanceOptions } from 'eventline/testing';

type Post = { created: boolean };
type Create = { type: 'Create'; title: string };
type Created = { type: 'Created'; data: { title: string } };

export const post: Decider<Post, Create, Created> = {
  initialState: () => ({ created: false }),
  evolve: (_, event) => ({ created: event.type === 'Created' }),
  decide(command, state) {
    if (state.created) throw new DomainError('the post exists already');
    return [{ type: 'Created', data: { title: command.title } }];
  },
};

export function checkPost(): void {
  deciderSpec(post).given([]).when({ type: 'Create', title: 'Hello' }).then([{ type: 'Created', data: { title: 'Hello' } }]);
}

export async function titles(url: string, options: OpenOptions = { create: false }): Promise<string[]> {
  const store: EventStore = await openEventStore(url, options);
  try {
    const events: RecordedEvent[] = await store.readStream('post-1');
    return events.map((event) => String((event.data as { title?: unknown }).title));
  } finally {
    await store.close();
  }
}

export function conformanceOf(name: string, storage: () => Promise<EventStorage<unknown>>): ConformanceOptions {
  return { name, open: async () => createEventStore(await storage()) };
}

export const positionOf = (event: StoredEvent<unknown>): number => event.position;
