// The P1 floors: the blog's `posts` read model rebuilt by the raw driver (better-sqlite3,
// pg) from Eventline's own events table. The floor's store is Eventline's (seeded through
// its append), so ours and the floor read the same rows; only the rebuild differs. Every
// event in keyset pages by position, as many per page as rebuildProjection reads, the
// projection's statement per event (floors/posts-sql.ts), one transaction per page.

import Database from 'better-sqlite3';
import pg from 'pg';
import { openEventStore } from '../../src/index.js';
import { benchStoreOf } from '../stores/eventline.js';
import { storeUrl } from '../stores/urls.js';
import type { OpenStore } from '../workloads/adapter.js';
import type { BlogEvent } from '../workloads/blog-events.js';
import { postsSetup, createPost, editPost, postWrite } from './posts-sql.js';
import { EPOCH_MS } from './sql.js';

/** Events per page: rebuildProjection's default batch. */
const REBUILD_PAGE = 2_000;
const INT8 = 20;

/** position, version, type, data, recorded_at (epoch ms): what the projection reads of an event. */
type Row = [number, number, string, string, number];
type PostData = BlogEvent['data'] & { authorId?: string };

export const openSqlite: OpenStore = async (scratch) => ({
  ...benchStoreOf(await openEventStore(storeUrl('sqlite', scratch))),
  rebuildPosts: async () => rebuildSqlite(scratch.sqlitePath),
});

export const openPostgres: OpenStore = async (scratch) => ({
  ...benchStoreOf(await openEventStore(storeUrl('postgres', scratch))),
  rebuildPosts: () => rebuildPostgres(scratch.postgresUrl, `"${scratch.name}"`),
});

function rebuildSqlite(path: string): number {
  const db = new Database(path);
  try {
    // As Eventline's SQLite store runs: WAL (a property of the file already) and NORMAL.
    db.pragma('synchronous = NORMAL');
    for (const sql of postsSetup('posts')) db.exec(sql);
    const page = db.prepare<[number, number], Row>('SELECT position, version, type, data, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT ?').raw();
    const create = db.prepare(createPost('posts'));
    const edit = db.prepare(editPost('posts'));
    const apply = db.transaction((rows: Row[]) => {
      for (const [, version, type, data, ms] of rows) {
        const write = postWrite(type, JSON.parse(data) as PostData, version, ms);
        if (write) (write.create ? create : edit).run(...write.values);
      }
    });
    let applied = 0;
    for (let after = 0; ; ) {
      const rows = page.all(after, REBUILD_PAGE);
      apply(rows);
      applied += rows.length;
      if (rows.length < REBUILD_PAGE) return applied;
      after = rows[rows.length - 1]![0];
    }
  } finally {
    db.close();
  }
}

async function rebuildPostgres(url: string, s: string): Promise<number> {
  const client = new pg.Client({
    connectionString: url,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  await client.connect();
  const table = `${s}.posts`;
  const texts = { create: createPost(table), edit: editPost(table) };
  const literal = (value: string | number) => (typeof value === 'number' ? String(value) : client.escapeLiteral(value));
  try {
    await client.query(postsSetup(table).join(';\n'));
    const read = `SELECT position, version, type, data, ${EPOCH_MS('recorded_at')} FROM ${s}.events WHERE position > $1 ORDER BY position LIMIT $2`;
    let applied = 0;
    for (let after = 0; ; ) {
      const { rows } = await client.query<Row>({ name: 'floor_rebuild_page', text: read, values: [after, REBUILD_PAGE], rowMode: 'array' });
      // A page's statements as one text, the values written in as literals (as Eventline
      // sends a projection's deferred writes): several statements in one simple query run
      // as one transaction, in one round trip.
      const statements: string[] = [];
      for (const [, version, type, data, ms] of rows) {
        const write = postWrite(type, JSON.parse(data) as PostData, version, ms);
        if (!write) continue;
        let i = 0;
        statements.push((write.create ? texts.create : texts.edit).replace(/\?/g, () => literal(write.values[i++]!)));
      }
      if (statements.length > 0) await client.query(statements.join(';\n'));
      applied += rows.length;
      if (rows.length < REBUILD_PAGE) return applied;
      after = rows[rows.length - 1]![0];
    }
  } finally {
    await client.end();
  }
}
