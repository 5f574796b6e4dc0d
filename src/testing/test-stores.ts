// The stores a test runs its story on, each fresh for one story: memory, a SQLite
// file in a temporary folder, and PostgreSQL in a schema of its own when
// EVENTLINE_POSTGRES_URL names a server. Without that variable PostgreSQL is
// reported unavailable (a skip), and under CI=true as required (a failure).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openEventStore, openStorage } from '../open/open-store.js';
import { createEventStore, type EventStore, type EventStoreOptions } from '../store/event-store.js';
import { postgresTestUrl, postgresUnavailable } from './postgres.js';

export interface TestStore {
  name: string;
  /** Why this store cannot run here; tests skip with it, or fail when `required`. */
  unavailable?: string;
  required?: boolean;
  /**
   * Runs `story` on a fresh, empty store and cleans up after it. `openOther` opens
   * another fresh store of the same kind; `reopen` opens another EventStore over the
   * first one's log with other options (event schemas, a payload guard). Each is closed
   * and cleaned up with the first.
   */
  withStore(story: (store: EventStore, openOther: () => Promise<EventStore>, reopen: Reopen) => Promise<void>): Promise<void>;
}

/** Another EventStore over the story's log, with these options. */
export type Reopen = (options: Pick<EventStoreOptions, 'schemas' | 'payloads'>) => Promise<EventStore>;

export function testStores(env: NodeJS.ProcessEnv = process.env): TestStore[] {
  return [memoryStore, sqliteStore, postgresStore(env)];
}

/**
 * Tells the same stories once per store, each under `describe(title(name))`. A store
 * that cannot run here is one test that skips with the reason, or fails when required.
 *
 * @example
 * onEveryStore((name) => `the blog on ${name}`, (backend) => {
 *   test('a post is created', () => backend.withStore(async (store) => { … }));
 * });
 */
export function onEveryStore(title: (name: string) => string, stories: (backend: TestStore) => void, env: NodeJS.ProcessEnv = process.env): void {
  for (const backend of testStores(env)) {
    describe(title(backend.name), () => {
      const reason = backend.unavailable;
      if (reason === undefined) stories(backend);
      else test(`${backend.name} scenarios`, (t) => (backend.required ? assert.fail(reason) : t.skip(reason)));
    });
  }
}

const memoryStore: TestStore = {
  name: 'memory',
  async withStore(story) {
    await run(async () => {
      // A store and those reopened over its log share one storage; closing one closes it.
      const storage = await openStorage('memory:');
      return { store: createEventStore(storage), reopen: async (options) => createEventStore(storage, options) };
    }, story);
  },
};

const sqliteStore: TestStore = {
  name: 'SQLite',
  async withStore(story) {
    const folder = await mkdtemp(join(tmpdir(), 'eventline-'));
    try {
      let files = 0;
      await run(async () => {
        const url = `sqlite:${join(folder, `events-${++files}.db`)}`;
        return { store: await openEventStore(url), reopen: (options) => openEventStore(url, options) };
      }, story);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  },
};

function postgresStore(env: NodeJS.ProcessEnv): TestStore {
  const unavailable = postgresUnavailable(env);
  if (unavailable) {
    return { name: 'PostgreSQL', unavailable: unavailable.reason, required: unavailable.required, withStore: async () => {} };
  }
  const database = postgresTestUrl(env)!;
  return {
    name: 'PostgreSQL',
    async withStore(story) {
      try {
        await run(async () => {
          const url = await database.freshUrl();
          return { store: await openEventStore(url), reopen: (options) => openEventStore(url, options) };
        }, story);
      } finally {
        await database.dropAll();
      }
    },
  };
}

/** A fresh store, and how to open another EventStore over its log. */
type Opened = { store: EventStore; reopen: Reopen };

async function run(open: () => Promise<Opened>, story: (store: EventStore, openOther: () => Promise<EventStore>, reopen: Reopen) => Promise<void>): Promise<void> {
  const opened: EventStore[] = [];
  const track = (store: EventStore) => (opened.push(store), store);
  try {
    const first = await open();
    track(first.store);
    await story(first.store, async () => track((await open()).store), async (options) => track(await first.reopen(options)));
  } finally {
    // Newest first: a store reopened over another's log closes before the one it shares it with.
    for (const store of opened.reverse()) await store.close();
  }
}
