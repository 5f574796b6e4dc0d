// The stores a test runs its story on, each fresh for one story: memory, a SQLite
// file in a temporary folder, and PostgreSQL in a schema of its own when
// EVENTLINE_POSTGRES_URL names a server. Without that variable PostgreSQL is
// reported unavailable (a skip), and under CI=true as required (a failure).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openEventStore } from '../open/open-store.js';
import type { EventStore } from '../store/event-store.js';
import { postgresTestUrl, postgresUnavailable } from './postgres.js';

export interface TestStore {
  name: string;
  /** Why this store cannot run here; tests skip with it, or fail when `required`. */
  unavailable?: string;
  required?: boolean;
  /**
   * Runs `story` on a fresh, empty store and cleans up after it. `openOther` opens
   * another fresh store of the same kind, closed and cleaned up with the first.
   */
  withStore(story: (store: EventStore, openOther: () => Promise<EventStore>) => Promise<void>): Promise<void>;
}

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
    await run(() => openEventStore('memory:'), story);
  },
};

const sqliteStore: TestStore = {
  name: 'SQLite',
  async withStore(story) {
    const folder = await mkdtemp(join(tmpdir(), 'eventline-'));
    try {
      let files = 0;
      await run(() => openEventStore(`sqlite:${join(folder, `events-${++files}.db`)}`), story);
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
        await run(async () => openEventStore(await database.freshUrl()), story);
      } finally {
        await database.dropAll();
      }
    },
  };
}

async function run(open: () => Promise<EventStore>, story: (store: EventStore, openOther: () => Promise<EventStore>) => Promise<void>): Promise<void> {
  const opened: EventStore[] = [];
  const openOne = async () => {
    const store = await open();
    opened.push(store);
    return store;
  };
  try {
    await story(await openOne(), openOne);
  } finally {
    await Promise.all(opened.map((store) => store.close()));
  }
}
