// The PostgreSQL floor on porsager's postgres driver: the same statements as the
// node-postgres floor (sql.ts), prepared once per connection by the driver.
// The driver is a peer (bench/peers), loaded by path so the project never needs it.

import { conflict, type OpenStore, type VersionedEvent } from '../workloads/adapter.js';
import { PAGE_SIZE } from '../workloads/sizes.js';
import { floorSql } from './sql.js';

/** The part of the driver's API the floor uses. */
interface Query extends Promise<unknown[] & { count: number }> {
  /** Rows as arrays of column values. */
  values(): Promise<unknown[]>;
}
interface Sql {
  unsafe(text: string, params?: unknown[], options?: { prepare: boolean }): Query;
  end(options?: { timeout?: number }): Promise<void>;
}
type Postgres = (url: string, options: object) => Sql;

const INT8 = 20;

export const open: OpenStore = async (scratch) => {
  const driver = new URL('../peers/postgres-driver.ts', import.meta.url).href;
  const { default: postgres } = (await import(driver)) as { default: Postgres };
  const sql = postgres(scratch.postgresUrl, {
    max: 10,
    onnotice: () => {},
    // Versions and positions as plain numbers, not strings.
    types: { int8: { to: INT8, from: [INT8], serialize: String, parse: Number } },
  });
  const q = floorSql(`"${scratch.name}"`);
  const run = (text: string, params: unknown[]) => sql.unsafe(text, params, { prepare: true });
  const rowsOf = async <Row>(text: string, params: unknown[]) => (await run(text, params).values()) as Row[];
  await sql.unsafe(q.schema);

  // Keyset paging by the (stream, version) key, data parsed as it arrives.
  async function readStream(streamId: string): Promise<VersionedEvent[]> {
    const events: VersionedEvent[] = [];
    let after = 0;
    while (true) {
      const rows = await rowsOf<[number, string, string]>(q.readStream, [streamId, after, PAGE_SIZE]);
      for (const [version, type, data] of rows) events.push({ version, type, data: JSON.parse(data) });
      if (rows.length < PAGE_SIZE) return events;
      after = rows[rows.length - 1]![0];
    }
  }

  return {
    async append(streamId, events, expected) {
      try {
        const { count } =
          events.length === 1
            ? await run(q.appendOne, [streamId, expected, events[0]!.type, JSON.stringify(events[0]!.data)])
            : await run(q.appendMany, [streamId, expected, events.map((e) => e.type), events.map((e) => JSON.stringify(e.data))]);
        return count === events.length ? { ok: true, nextVersion: expected + events.length } : conflict();
      } catch (error) {
        if ((error as { code?: string }).code === '23505') return conflict();
        throw error;
      }
    },

    readStream: (streamId) => readStream(streamId),
    versionedStream: (streamId) => readStream(streamId),

    async currentVersion(streamId) {
      const rows = await rowsOf<[number]>(q.currentVersion, [streamId]);
      return rows[0]![0];
    },

    async readAll(visit) {
      let after = 0;
      while (true) {
        const rows = await rowsOf<[number, string, number, string, string]>(q.readAll, [after, PAGE_SIZE]);
        for (const [position, streamId, version, type, data] of rows) visit({ position, streamId, version, type, data: JSON.parse(data) });
        if (rows.length < PAGE_SIZE) return;
        after = rows[rows.length - 1]![0];
      }
    },

    close: () => sql.end({ timeout: 5 }),
  };
};
