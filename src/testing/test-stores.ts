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
   * Runs `story` on a fresh, empty store and cleans up after it. `reopen` opens another
   * EventStore over the same log with other options (event schemas, a payload guard),
   * closed with the story.
   */
  withStore(story: (store: EventStore, reopen: Reopen) => Promise<void>): Promise<void>;
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
    // Every store of the story over one storage; closing the first closes it.
    const storage = await openStorage('memory:');
    await run(createEventStore(storage), story, async (options) => createEventStore(storage, options));
  },
};

const sqliteStore: TestStore = {
  name: 'SQLite',
  async withStore(story) {
    const folder = await mkdtemp(join(tmpdir(), 'eventline-'));
    try {
      const url = `sqlite:${join(folder, 'events.db')}`;
      await run(await openEventStore(url), story, (options) => openEventStore(url, options));
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
        const url = await database.freshUrl();
        await run(await openEventStore(url), story, (options) => openEventStore(url, options));
      } finally {
        await database.dropAll();
      }
    },
  };
}

async function run(store: EventStore, story: (store: EventStore, reopen: Reopen) => Promise<void>, open: Reopen): Promise<void> {
  const reopened: EventStore[] = [];
  try {
    await story(store, async (options) => {
      const other = await open(options);
      reopened.push(other);
      return other;
    });
  } finally {
    for (const other of reopened.reverse()) await other.close();
    await store.close();
  }
}
