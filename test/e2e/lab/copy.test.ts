// Moving the Lab from its SQLite file to PostgreSQL, as an operator would: the Lab runs on
// SQLite and serves posts by a registered author; it stops; `eventline copy` moves the
// store and `eventline keys copy` its key storage; a Lab started on PostgreSQL serves the
// same posts, the author's name included, its projections going on from the copied
// checkpoints (at the head from the start, never rebuilt), and takes new posts.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { postgresTestUrl, postgresUnavailable } from '../../../src/testing/index.js';
import { records, startEventline } from '../../fixtures/cli.js';
import { authorAt, eventually, getJson, postJson, startLab, TEST_KEK, type LabProcess } from './support.js';

interface Listed {
  items: { postId: string; title: string; status: string; author: unknown }[];
}

interface Projections {
  headPosition: number;
  projections: { name: string; position: number; state: string }[];
}

const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-copy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const unavailable = postgresUnavailable();
const postgres = postgresTestUrl();
if (postgres) after(() => postgres.dropAll());

async function eventline(args: string[]): Promise<Record<string, unknown>> {
  const result = await startEventline(['--json', ...args], dir, { EVENTLINE_KEK: TEST_KEK }).done;
  assert.equal(result.code, 0, `eventline ${args.join(' ')}: ${result.stderr}`);
  return records(result.stdout)[0]!;
}

/** The Lab's projections once each has read up to the head. */
async function caughtUp(lab: LabProcess): Promise<Projections> {
  return eventually('the projections at the head', async () => {
    const { body } = await getJson<Projections>(`${lab.url}/api/projections`);
    return body.projections.every((p) => p.position === body.headPosition) ? body : undefined;
  });
}

test('a Lab on PostgreSQL serves the posts of the SQLite Lab it was copied from, its projections going on without a rebuild', { skip: unavailable?.required ? false : (unavailable?.reason ?? false), timeout: 120_000 }, async () => {
  assert.ok(postgres, unavailable?.reason);
  const sqlite = `sqlite:${join(dir, 'data', 'blog.db')}`;
  const target = await postgres.freshUrl();

  // Given a Lab on SQLite with an author, a draft and a published post.
  const onSqlite = await startLab(sqlite);
  let listed: Listed;
  try {
    const authorId = await authorAt(onSqlite.url, {}, { name: 'Ada Copyfield', email: 'ada.copyfield@example.org' });
    for (const postId of ['notes', 'engine']) {
      assert.equal((await postJson(`${onSqlite.url}/api/posts`, { postId, title: `On the ${postId}`, body: 'words', authorId })).status, 201);
    }
    assert.equal((await postJson(`${onSqlite.url}/api/posts/engine/publish`, {})).status, 200);
    await caughtUp(onSqlite);
    listed = (await getJson<Listed>(`${onSqlite.url}/api/posts`)).body;
    assert.equal(listed.items.length, 2);
  } finally {
    assert.equal(await onSqlite.stop(), 0);
  }

  // When the store and its keys are copied to PostgreSQL.
  const copied = await eventline(['copy', sqlite, target]);
  assert.ok((copied.copied as number) > 0);
  assert.ok(((copied.checkpoints as unknown[]) ?? []).length >= 3, 'the projections\' checkpoints were translated');
  const keys = await eventline(['--store', sqlite, 'keys', 'copy', '--to', target]);
  assert.ok((keys.keys as number) >= 2, 'the author\'s data keys went too');

  // Then a Lab on PostgreSQL serves the same posts, the author's name open.
  const onPostgres = await startLab(target);
  try {
    const first = (await getJson<Projections>(`${onPostgres.url}/api/projections`)).body;
    for (const p of first.projections) {
      assert.equal(p.position, first.headPosition, `${p.name} starts at the head: its checkpoint came with the copy`);
      assert.notEqual(p.state, 'rebuilding', `${p.name} is not rebuilt`);
    }
    assert.deepEqual((await getJson<Listed>(`${onPostgres.url}/api/posts`)).body, listed);
    assert.deepEqual(listed.items.map((p) => p.author), [
      { authorId: (listed.items[0]!.author as { authorId: string }).authorId, name: 'Ada Copyfield' },
      { authorId: (listed.items[0]!.author as { authorId: string }).authorId, name: 'Ada Copyfield' },
    ]);

    // And it goes on: a new post is read back through the copied projections.
    const authorId = (listed.items[0]!.author as { authorId: string }).authorId;
    assert.equal((await postJson(`${onPostgres.url}/api/posts`, { postId: 'moved', title: 'Moved house', body: 'words', authorId })).status, 201);
    await caughtUp(onPostgres);
    const now = (await getJson<Listed>(`${onPostgres.url}/api/posts`)).body;
    assert.deepEqual(now.items.map((p) => p.postId).sort(), ['engine', 'moved', 'notes']);
  } finally {
    assert.equal(await onPostgres.stop(), 0);
  }
});
