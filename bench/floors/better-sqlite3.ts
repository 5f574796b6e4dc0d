// The SQLite floor: what a minimal, competent use of better-sqlite3 reaches. One
// table, a unique (stream, version) key, one transaction per append, the expected
// version checked by the INSERT itself. No event ids, metadata or timestamps:
// whatever a store adds on top is its own cost.

import Database from 'better-sqlite3';
import { conflict, type BenchStore, type OpenStore, type VersionedEvent } from '../workloads/adapter.js';
import { PAGE_SIZE } from '../workloads/sizes.js';

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position  INTEGER PRIMARY KEY,
    stream_id TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    type      TEXT    NOT NULL,
    data      TEXT    NOT NULL,
    UNIQUE (stream_id, version)
  )`;

// Inserts nothing unless the stream is exactly at the expected version; the unique
// key refuses a second writer that read the same version in another process.
const APPEND_FIRST = `
  INSERT INTO events (stream_id, version, type, data)
  SELECT ?, ? + 1, ?, ?
  WHERE coalesce((SELECT max(version) FROM events WHERE stream_id = ?), 0) = ?`;

// The rest of a multi-event append, in the same transaction, after APPEND_FIRST.
const APPEND_NEXT = `INSERT INTO events (stream_id, version, type, data) VALUES (?, ?, ?, ?)`;

const CURRENT_VERSION = `SELECT coalesce(max(version), 0) FROM events WHERE stream_id = ?`;

const READ_STREAM = `
  SELECT version, type, data FROM events
  WHERE stream_id = ? AND version > ? ORDER BY version LIMIT ?`;

const READ_ALL = `
  SELECT position, stream_id, version, type, data FROM events
  WHERE position > ? ORDER BY position LIMIT ?`;

const BUSY_TIMEOUT_MS = 5_000;

export const openNormal: OpenStore = (scratch) => open(scratch.sqlitePath, 'NORMAL');
export const openFull: OpenStore = (scratch) => open(scratch.sqlitePath, 'FULL');

async function open(path: string, synchronous: 'NORMAL' | 'FULL'): Promise<BenchStore> {
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(SCHEMA);

  const first = db.prepare(APPEND_FIRST);
  const next = db.prepare(APPEND_NEXT);
  const current = db.prepare<[string], number>(CURRENT_VERSION).pluck();
  const readPage = db.prepare<[string, number, number], [number, string, string]>(READ_STREAM).raw();
  const readAllPage = db.prepare<[number, number], [number, string, number, string, string]>(READ_ALL).raw();

  const appendMany = db.transaction((streamId: string, events: readonly { type: string; data: unknown }[], expected: number) => {
    const [head, ...rest] = events;
    const { changes } = first.run(streamId, expected, head!.type, JSON.stringify(head!.data), streamId, expected);
    if (changes === 0) return false;
    rest.forEach((e, i) => next.run(streamId, expected + i + 2, e.type, JSON.stringify(e.data)));
    return true;
  });

  // Keyset paging by the (stream, version) key, data parsed as it arrives.
  async function readStream(streamId: string): Promise<VersionedEvent[]> {
    const events: VersionedEvent[] = [];
    let after = 0;
    while (true) {
      const rows = readPage.all(streamId, after, PAGE_SIZE);
      for (const [version, type, data] of rows) events.push({ version, type, data: JSON.parse(data) });
      if (rows.length < PAGE_SIZE) return events;
      after = rows[rows.length - 1]![0];
    }
  }

  return {
    async append(streamId, events, expected) {
      try {
        // One event: the statement is its own transaction. More: one IMMEDIATE
        // transaction, which takes the write lock before it reads.
        const done =
          events.length === 1
            ? first.run(streamId, expected, events[0]!.type, JSON.stringify(events[0]!.data), streamId, expected).changes === 1
            : appendMany.immediate(streamId, events, expected);
        return done ? { ok: true, nextVersion: expected + events.length } : conflict();
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return conflict();
        throw error;
      }
    },

    readStream: (streamId) => readStream(streamId),
    versionedStream: (streamId) => readStream(streamId),

    async currentVersion(streamId) {
      return current.get(streamId) ?? 0;
    },

    async readAll(visit) {
      let after = 0;
      while (true) {
        const rows = readAllPage.all(after, PAGE_SIZE);
        for (const [position, streamId, version, type, data] of rows) {
          visit({ position, streamId, version, type, data: JSON.parse(data) });
        }
        if (rows.length < PAGE_SIZE) return;
        after = rows[rows.length - 1]![0];
      }
    },

    async close() {
      db.close();
    },
  };
}
