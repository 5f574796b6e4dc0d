// LISTEN on the schema's channel, on a connection of its own, while anyone watches.
// A lost connection is re-opened with back-off; meanwhile readers fall back to polling.
// The connection holds the schema's listen lock shared: appends notify only while some
// connection does (schema.ts, notifyListeners).

import type { Client, PoolConfig } from 'pg';
import { createWatchers } from '../watchers.js';
import { loadPg } from './driver.js';
import { LOCK_LISTEN } from './identifiers.js';

export function createListener(config: PoolConfig, channel: string, listenLockKey: number) {
  let client: Client | undefined;
  let closed = false;
  let retryMs = 100;
  let retry: NodeJS.Timeout | undefined;

  const watchers = createWatchers(
    () => void connect(),
    () => void disconnect(),
  );

  const unwanted = () => closed || watchers.size === 0;

  async function connect(): Promise<void> {
    if (client || unwanted()) return;
    const pg = await loadPg();
    // The store may have closed, or the last watcher left, while the driver loaded.
    if (client || unwanted()) return;
    const next = new pg.Client(config);
    client = next;
    next.on('notification', () => watchers.notify());
    next.on('error', () => reconnect(next));
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
      // Waits for an append that saw no listener to commit; from then on appends notify.
      await next.query('SELECT pg_advisory_lock_shared($1, $2)', [LOCK_LISTEN, listenLockKey]);
      retryMs = 100;
      // Closed or abandoned while connecting: this connection must not outlive the store.
      if (client !== next || unwanted()) {
        if (client === next) client = undefined;
        await next.end().catch(() => {});
        return;
      }
      // Anything appended while we were not listening.
      watchers.notify();
    } catch {
      reconnect(next);
    }
  }

  function reconnect(failed: Client): void {
    if (client !== failed) return;
    client = undefined;
    void failed.end().catch(() => {});
    if (closed || watchers.size === 0) return;
    retry = setTimeout(() => void connect(), retryMs);
    retryMs = Math.min(retryMs * 2, 5_000);
  }

  async function disconnect(): Promise<void> {
    clearTimeout(retry);
    const current = client;
    client = undefined;
    await current?.end().catch(() => {});
  }

  return {
    watch: watchers.add,
    async close() {
      closed = true;
      await disconnect();
    },
  };
}
