// What a store gives the conformance suite: how to get a fresh store, and (for stores
// that other processes can open) a fresh URL. Cases a store cannot run are skipped
// with a stated reason, never silently.

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore } from '../../store/event-store.js';

export interface ConformanceOptions {
  /** Shown in the test names, e.g. 'sqlite'. */
  name: string;
  /** Opens a fresh, empty store. The suite closes it. */
  open(): Promise<EventStore>;
  /**
   * The URL of a fresh, empty store that child processes can open too. Omit it for
   * a store that lives in one process; the multi-process cases are then skipped.
   */
  freshUrl?(): Promise<string>;
  /** Cases this store cannot run, each with the reason. */
  skip?: readonly { test: string; reason: string }[];
}

export type Case = (store: EventStore, t: TestContext) => Promise<void>;

/** Registers one case: a fresh store, closed afterwards, or a declared skip. */
export function defineCase(options: ConformanceOptions, name: string, body: Case, timeout = 60_000): void {
  const skipped = options.skip?.find((s) => s.test === name);
  if (skipped) {
    test(name, { skip: skipped.reason }, () => {});
    return;
  }
  test(name, { timeout }, async (t) => {
    const store = await options.open();
    try {
      await body(store, t);
    } finally {
      await store.close();
    }
  });
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export async function countAll(store: EventStore): Promise<number> {
  return (await collect(store.readAll())).length;
}

/** Node's own promise timer, under the name the suite's cases use. */
export { sleep };

/** Resolves once `check` holds, asking every `pollMs`; fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, pollMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(pollMs);
  }
}

/** Registers a case that drives other processes against a fresh store URL. */
export function defineProcessCase(options: ConformanceOptions, name: string, body: (url: string) => Promise<void>, timeout = 60_000): void {
  const skipped = options.skip?.find((s) => s.test === name);
  const freshUrl = options.freshUrl;
  if (skipped || !freshUrl) {
    test(name, { skip: skipped?.reason ?? `the ${options.name} store lives in one process` }, () => {});
    return;
  }
  test(name, { timeout }, async () => body(await freshUrl()));
}
