// A PostgreSQL store's epoch, its maintenance lock and its backup. The lock is a session
// advisory lock on a connection of its own, named (application_name) after its task and
// process so a refused caller can say who holds it; it ends when that process dies. A
// backup is pg_dump of the store's schema alone (the key schema lives apart), run in a
// snapshot this module exports, in which it also reads the head and the epoch.

import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import type { Client, Pool } from 'pg';
import { MaintenanceBusyError } from '../../core/errors.js';
import { uuidv7 } from '../../core/uuid.js';
import type { BackupFacts, MaintenanceStorage } from '../../store/storage.js';
import { holderText, thisHost } from '../maintenance-lock.js';
import { LOCK_MAINTENANCE, lockKey } from './identifiers.js';

export interface MaintenanceConnections {
  pool: Pool;
  /** A new connection outside the pool: the lock and the backup's snapshot each hold one. */
  connect(): Promise<Client>;
  /** The libpq URL pg_dump connects with. */
  connectionString: string;
}

/** The application_name a lock's connection carries: how a refused caller learns its holder. */
const LOCK_NAME_PREFIX = 'eventline maintenance: ';

export function prepareMaintenance(s: string, schema: string, connections: MaintenanceConnections): MaintenanceStorage {
  const { pool, connect } = connections;
  const key = lockKey(schema);

  async function holder(client: Client): Promise<string> {
    const { rows } = await client.query<{ name: string; pid: number }>(
      `SELECT a.application_name AS name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2`,
      [LOCK_MAINTENANCE, key],
    );
    const row = rows[0];
    if (row === undefined) return 'another session (gone by now)';
    return row.name.startsWith(LOCK_NAME_PREFIX) ? row.name.slice(LOCK_NAME_PREFIX.length) : `server process ${row.pid}`;
  }

  return {
    async epoch() {
      const { rows } = await pool.query<{ epoch: string }>(`SELECT epoch FROM ${s}.store_epoch WHERE id = 1`);
      return rows[0]!.epoch;
    },

    async renewEpoch() {
      const epoch = uuidv7();
      await pool.query(`UPDATE ${s}.store_epoch SET epoch = $1 WHERE id = 1`, [epoch]);
      return epoch;
    },

    async lock(task) {
      const client = await connect();
      try {
        const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', [LOCK_MAINTENANCE, key]);
        if (!rows[0]!.got) throw new MaintenanceBusyError(task, await holder(client));
        await client.query(`SELECT set_config('application_name', $1, false)`, [LOCK_NAME_PREFIX + holderText(task, process.pid, thisHost())]);
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      // The connection is the lock: losing it frees the lock, so its errors must not crash the process.
      client.on('error', () => {});
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await client.end().catch(() => {});
        },
      };
    },

    async backup(file) {
      const client = await connect();
      client.on('error', () => {});
      const partial = `${file}.partial`;
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const { rows } = await client.query<{ snapshot: string; head: string | number; epoch: string; version: number }>(
          `SELECT pg_export_snapshot() AS snapshot,
                  (SELECT coalesce(max(position), 0) FROM ${s}.events) AS head,
                  (SELECT epoch FROM ${s}.store_epoch WHERE id = 1) AS epoch,
                  (SELECT version FROM ${s}.schema_version) AS version`,
        );
        const row = rows[0]!;
        await rm(partial, { force: true });
        await pgDump(connections.connectionString, ['--snapshot', row.snapshot, '--schema', s, '--format', 'custom', '--no-owner', '--no-privileges', '--file', partial]);
        await client.query('COMMIT');
        await rename(partial, file);
        const facts: BackupFacts = { head: Number(row.head), epoch: row.epoch, schemaVersion: row.version, schema };
        return facts;
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}

/**
 * Runs a PostgreSQL client program (pg_dump, pg_restore) against `connectionString`: the
 * password, if the URL has one, goes in PGPASSWORD rather than on the command line, where
 * other users could read it. Rejects with the program's last line of errors.
 */
export function runPgProgram(program: string, connectionString: string, args: readonly string[]): Promise<void> {
  const { url, password } = withoutPassword(connectionString);
  const env = password === undefined ? process.env : { ...process.env, PGPASSWORD: password };
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args, '--dbname', url], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new Error(`${program} could not be run (is it installed?): ${error.message}`, { cause: error })));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const last = stderr.trim().split('\n').at(-1) ?? '';
      reject(new Error(`${program} failed (exit ${code}): ${last}`));
    });
  });
}

const pgDump = (connectionString: string, args: readonly string[]) => runPgProgram('pg_dump', connectionString, args);

function withoutPassword(connectionString: string): { url: string; password: string | undefined } {
  try {
    const url = new URL(connectionString);
    if (url.password === '') return { url: connectionString, password: undefined };
    const password = decodeURIComponent(url.password);
    url.password = '';
    return { url: url.toString(), password };
  } catch {
    // A libpq key=value string: pg_dump reads it as it is.
    return { url: connectionString, password: undefined };
  }
}
