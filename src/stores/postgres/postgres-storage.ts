// The PostgreSQL store, for when many processes share one database. Each append is one
// function call (schema.ts); appends that arrive together go as one (append-queue.ts).

import type { Pool, PoolConfig } from 'pg';
import { jsonCodec } from '../../core/codec.js';
import { StoreOpenError, storeMissing } from '../../core/errors.js';
import type { EventStorage } from '../../store/storage.js';
import { eventIdsOf, type EventIds } from '../event-ids.js';
import { createMemoryReadModels } from '../sqlite-db/memory-read-models.js';
import { prepareAppend } from './append.js';
import { queueAppends } from './append-queue.js';
import { prepareCopy } from './copy.js';
import { lockKey, quoteSchema } from './identifiers.js';
import { preparePruning } from './prune.js';
import { prepareReads } from './read.js';
import { createListener } from './listener.js';
import { inTransaction, postgresReadModelDb, postgresReadModelStorage } from './read-models.js';
import { migrate, notifyChannel } from './schema.js';
import { prepareSnapshots } from './snapshots.js';
import { loadPg } from './driver.js';
import { prepareMaintenance } from './maintenance.js';

export interface PostgresOptions {
  /** A libpq connection URL, without Eventline's own parameters. */
  connectionString: string;
  /** Default 'eventline'. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Whether a schema that holds no Eventline store is made one. Default true. */
  create?: boolean;
}

export interface PostgresStorage extends EventStorage {
  readonly schema: string;
  readonly pool: Pool;
  /** The connections that read the log (see LOG_READER_SETTINGS). */
  readonly logPool: Pool;
  appendWithHook: NonNullable<EventStorage['appendWithHook']>;
}

const INT8 = 20;

/**
 * Settings of the connections that read the log. Every such read is a page in the order
 * of an index (the primary key, or the (stream_id, version) key), stopping after its
 * limit. But while the table's statistics are stale (after a bulk load or a burst of
 * appends, before autovacuum analyzes it) the planner may guess that the filters leave
 * a few rows, and pick a scan of every row after the position followed by a sort: each
 * page of a filtered read then costs the whole rest of the table, and reading all turns
 * quadratic, where a page by the key costs only its own rows.
 * On these connections only an index's own order is on offer. Read models, whose queries
 * are the application's, keep the planner's defaults on the main pool.
 */
const LOG_READER_SETTINGS = '-c enable_seqscan=off -c enable_bitmapscan=off -c enable_sort=off';

function withLogReaderSettings(connectionString: string): string {
  let given: string | null = null;
  try {
    given = new URL(connectionString).searchParams.get('options');
  } catch {
    // Not a URL (a libpq key=value string, say): pg reads it; there are no options to keep.
  }
  return given ? `${given} ${LOG_READER_SETTINGS}` : LOG_READER_SETTINGS;
}

export async function openPostgresStorage(url: string, options: PostgresOptions): Promise<PostgresStorage> {
  const schema = options.schema ?? 'eventline';
  const s = quoteSchema(schema);
  const pg = await loadPg();

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
  const logPool = new pg.Pool({ ...config, options: withLogReaderSettings(options.connectionString) });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  logPool.on('error', () => {});

  let ids: EventIds;
  try {
    const client = await pool.connect();
    try {
      if (!(await migrate(client, s, schema, { create: options.create ?? true }))) throw storeMissing(url);
      // Events given no id are named after their positions, with the schema's tag (event-ids.ts).
      const { rows } = await client.query<{ tag: string }>(`SELECT tag FROM ${s}.event_id_tag`);
      ids = eventIdsOf(rows[0]!.tag);
    } finally {
      client.release();
    }
  } catch (error) {
    await Promise.all([pool.end(), logPool.end()]);
    throw error instanceof StoreOpenError ? error : new StoreOpenError(url, (error as Error).message, { cause: error });
  }

  const append = prepareAppend(s, ids);
  const appendQueued = queueAppends(pool, s, ids, append);
  const reads = prepareReads(pool, logPool, s, ids);
  const listener = createListener(config, notifyChannel(schema), lockKey(schema));

  return {
    kind: 'postgres',
    defaultCodec: jsonCodec,
    schema,
    pool,
    logPool,

    append: appendQueued,

    appendWithHook(streamId, events, expectedVersion, beforeCommit) {
      return inTransaction(pool, async (client) => {
        const { wrote, ...result } = await append(client, streamId, events, expectedVersion);
        const appended = wrote ? await reads.readRange(client, result.lastPosition - events.length + 1, result.lastPosition) : [];
        const eventsAfter = (position: number) => reads.readRange(client, position + 1, result.lastPosition);
        await beforeCommit(appended, result, (tables) => postgresReadModelDb(client, tables), eventsAfter);
        return result;
      });
    },

    writeCopied: prepareCopy(pool, s, lockKey(schema), notifyChannel(schema)),
    watch: listener.watch,
    readModels: postgresReadModelStorage(pool, config, schema),
    // A replay's scratch database is SQLite in memory here too: nothing to clean up on the server.
    scratchReadModels: createMemoryReadModels,

    readStream: reads.readStream,
    readStreamPayloads: reads.readStreamPayloads,
    readAllBatch: reads.readAllBatch,
    listStreams: reads.listStreams,
    stats: reads.stats,
    headPosition: reads.headPosition,
    snapshots: prepareSnapshots(pool, s),
    retention: preparePruning(pool, s, lockKey(schema), ids, append, async () => (await reads.stats()).bytes),
    maintenance: prepareMaintenance(s, schema, {
      pool,
      connectionString: options.connectionString,
      async connect() {
        const client = new pg.Client({ connectionString: options.connectionString, types: config.types });
        await client.connect();
        return client;
      },
    }),

    async close() {
      await listener.close();
      await Promise.all([pool.end(), logPool.end()]);
    },
  };
}
