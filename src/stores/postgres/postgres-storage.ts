// The PostgreSQL store, for when many processes share one database. A pool serves
// concurrent appends; each append is one function call (schema.ts).

import type { Pool, PoolConfig } from 'pg';
import { StoreOpenError } from '../../core/errors.js';
import type { EventStorage } from '../../store/storage.js';
import { prepareAppend } from './append.js';
import { quoteSchema } from './identifiers.js';
import { prepareReads } from './read.js';
import { createListener } from './listener.js';
import { discardDeferred, flushDeferred, postgresReadModelDb, postgresReadModelStorage } from './read-models.js';
import { migrate, notifyChannel } from './schema.js';
import { prepareSnapshots } from './snapshots.js';

export interface PostgresOptions {
  /** A libpq connection URL, without Eventline's own parameters. */
  connectionString: string;
  /** Default 'eventline'. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
}

export interface PostgresStorage extends EventStorage {
  readonly schema: string;
  readonly pool: Pool;
  appendWithHook: NonNullable<EventStorage['appendWithHook']>;
}

const INT8 = 20;

export async function openPostgresStorage(url: string, options: PostgresOptions): Promise<PostgresStorage> {
  const schema = options.schema ?? 'eventline';
  const s = quoteSchema(schema);
  const { default: pg } = await import('pg');

  const config: PoolConfig = {
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    // Versions and positions are plain numbers (exact up to 2^53).
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  };
  const pool = new pg.Pool(config);
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});

  try {
    const client = await pool.connect();
    try {
      await migrate(client, s, schema);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw new StoreOpenError(url, (error as Error).message, { cause: error });
  }

  const append = prepareAppend(s);
  const reads = prepareReads(pool, s);
  const listener = createListener(config, notifyChannel(schema));

  return {
    kind: 'postgres',
    schema,
    pool,

    async append(streamId, events, expectedVersion) {
      const { nextExpectedVersion, lastPosition } = await append(pool, streamId, events, expectedVersion);
      return { nextExpectedVersion, lastPosition };
    },

    async appendWithHook(streamId, events, expectedVersion, beforeCommit) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        try {
          const { wrote, ...result } = await append(client, streamId, events, expectedVersion);
          const appended = wrote ? await reads.readRange(client, result.lastPosition - events.length + 1, result.lastPosition) : [];
          const eventsAfter = (position: number) => reads.readRange(client, position + 1, result.lastPosition);
          await beforeCommit(appended, result, (tables) => postgresReadModelDb(client, tables), eventsAfter);
          await flushDeferred(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          discardDeferred(client);
          await client.query('ROLLBACK');
          throw error;
        }
      } finally {
        client.release();
      }
    },

    watch: listener.watch,
    readModels: postgresReadModelStorage(pool, config, schema),

    readStream: reads.readStream,
    readStreamPayloads: reads.readStreamPayloads,
    readAllBatch: reads.readAllBatch,
    listStreams: reads.listStreams,
    stats: reads.stats,
    headPosition: reads.headPosition,
    snapshots: prepareSnapshots(pool, s),

    async close() {
      await listener.close();
      await pool.end();
    },
  };
}
