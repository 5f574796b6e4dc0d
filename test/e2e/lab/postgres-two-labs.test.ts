// Two Lab processes on one PostgreSQL schema, as two instances behind a load balancer
// would run: a post written through one shows in the other's read model and on its
// live feed, and each projection is applied by exactly one of them at a time; when
// that one stops, the other takes over.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { postgresTestUrl, postgresUnavailable } from '../../../src/testing/index.js';
import { authorAt, eventually, getJson, openSse, postJson, startLab, type LabProcess } from './support.js';

type Projections = { projections: { name: string; active: boolean; state: string }[] };

const activeIn = async (lab: LabProcess) =>
  Object.fromEntries((await getJson<Projections>(`${lab.url}/api/projections`)).body.projections.map((p) => [p.name, p.active]));

describe('two Lab processes on one PostgreSQL schema', () => {
  const unavailable = postgresUnavailable();
  if (unavailable) {
    test('two Labs on PostgreSQL', (t) => (unavailable.required ? assert.fail(unavailable.reason) : t.skip(unavailable.reason)));
    return;
  }
  const database = postgresTestUrl()!;
  after(() => database.dropAll());

  test('a post created through A shows in B, live too; each projection runs in exactly one of them, and B takes over when A stops', async () => {
    const url = await database.freshUrl();
    const a = await startLab(url);
    const b = await startLab(url);
    try {
      const authorId = await authorAt(a.url);
      const live = await openSse(`${b.url}/api/events/live`);

      const created = await postJson<{ position: number }>(`${a.url}/api/posts`, { postId: 'shared', title: 'Shared', body: '…', authorId });
      assert.equal(created.status, 201);

      const message = await live.next(10_000);
      live.close();
      assert.equal(message?.id, String(created.body.position));
      assert.equal((JSON.parse(message!.data) as { streamId: string }).streamId, 'post-shared');
      const listed = await eventually('B lists the post', async () => {
        const { body } = await getJson<{ items: { postId: string }[] }>(`${b.url}/api/posts`);
        return body.items.length > 0 ? body.items : undefined;
      });
      assert.deepEqual(listed.map((p) => p.postId), ['shared']);

      const [inA, inB] = [await activeIn(a), await activeIn(b)];
      for (const name of ['posts', 'author_stats']) {
        assert.equal(Number(inA[name]) + Number(inB[name]), 1, `${name} is active in exactly one process: A ${inA[name]}, B ${inB[name]}`);
      }

      assert.equal(await a.stop(), 0);
      await eventually('B runs every projection', async () => {
        const inB = await activeIn(b);
        return Object.values(inB).every(Boolean) ? inB : undefined;
      });
      const published = await postJson(`${b.url}/api/posts/shared/publish`, {});
      assert.equal(published.status, 200);
      assert.equal((await getJson<{ status: string }>(`${b.url}/api/posts/shared`)).body.status, 'published');
    } finally {
      await Promise.all([a.stop('SIGKILL'), b.stop()]);
    }
  });
});
