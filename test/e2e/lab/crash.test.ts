// Crash: the Lab killed with kill -9 while a post waits for the time its review
// approved, and started again after that time. The review workflow fires the overdue
// timer on the restart and the post is published exactly once: one PostWasPublished
// in its stream, and one message for it on NATS JetStream, delivered by the Lab's
// outbox relay. On a SQLite file, with the Lab as a real child process.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { openEventStore } from '../../../src/index.js';
import { BLOG_PUBLISHED_SUBJECT, blogJetStream, deleteJetStream, jetStreamMessages, withNats } from '../../fixtures/outbox.js';
import type { PostJson, WorkflowDetailJson } from '../../../lab/api-types.js';
import { authorAt, eventually, getJson, postJson, startLab, type LabProcess } from './support.js';

await withNats('the Lab killed with kill -9 before a review\'s publish time', (natsUrl) => {
  describe('the Lab killed with kill -9 before a review\'s publish time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-crash-'));
    const storeUrl = `sqlite:${join(dir, 'lab.db')}`;
    let stream: { name: string; created: boolean } | undefined;
    let lab: LabProcess | undefined;
    after(async () => {
      await lab?.stop('SIGKILL');
      if (stream?.created) await deleteJetStream(natsUrl, stream.name);
      rmSync(dir, { recursive: true, force: true });
    });

    test('started again after that time, it fires the overdue timer and publishes the post exactly once, with one message on NATS', { timeout: 60_000 }, async () => {
      stream = await blogJetStream(natsUrl, 'LAB_CRASH');
      const env = { EVENTLINE_NATS_URL: natsUrl, EVENTLINE_NATS_STREAM: stream.name };
      lab = await startLab(storeUrl, env);
      const postId = `crash-${randomBytes(6).toString('hex')}`;

      // Given a post in review, approved to be published 2 s from now,
      const authorId = await authorAt(lab.url);
      assert.equal((await postJson(`${lab.url}/api/posts`, { postId, title: 'Survives a crash', body: '…', authorId })).status, 201);
      assert.equal((await postJson(`${lab.url}/api/posts/${postId}/submit`, {})).status, 200);
      const base = lab.url;
      await eventually('the review started', async () => {
        const post = await getJson<{ version: number }>(`${base}/api/streams/post-${postId}`);
        return post.body.version >= 3 ? true : undefined;
      });
      const publishAt = new Date(Date.now() + 2000).toISOString();
      const approved = await postJson(`${lab.url}/api/posts/${postId}/review`, { decision: 'approve', publishAt });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      // and the workflow has scheduled the publish timer,
      await eventually('the publish timer is scheduled', async () => {
        const instance = await getJson<WorkflowDetailJson>(`${base}/api/workflows/workflow-review-${postId}`);
        return instance.body.timers?.some((t) => t.name === 'publish' && t.state === 'scheduled') ? true : undefined;
      });

      // when the Lab is killed with kill -9 before that time,
      assert.equal(await lab.stop('SIGKILL'), null, 'killed by the signal');
      lab = undefined;
      const dueIn = Date.parse(publishAt) - Date.now();
      assert.ok(dueIn > 0, `killed ${-dueIn} ms after the publish time; the test ran too slowly to say anything`);
      // and started again only once the time has passed,
      await sleep(dueIn + 500);
      lab = await startLab(storeUrl, env);
      const restarted = lab.url;

      // then the post is published,
      const post = await eventually(
        'the post is published',
        async () => {
          const answer = await getJson<PostJson>(`${restarted}/api/posts/${postId}`);
          return answer.body.status === 'published' ? answer.body : undefined;
        },
        15_000,
      );
      assert.ok(Date.parse(post.publishedAt!) >= Date.parse(publishAt));
      // its announcement is delivered,
      await eventually('the outbox is delivered', async () => {
        const health = await getJson<{ outbox: { undelivered: number; relay: string } }>(`${restarted}/api/health`);
        return health.body.outbox.undelivered === 0 && health.body.outbox.relay === 'running' ? true : undefined;
      }, 15_000);
      assert.equal(await lab.stop('SIGTERM'), 0, `the Lab drains on SIGTERM; stderr:\n${lab.stderr()}`);
      lab = undefined;

      // once: one PostWasPublished in the post's stream, the overdue timer fired once, late,
      const store = await openEventStore(storeUrl, { create: false });
      try {
        const postEvents = await store.readStream(`post-${postId}`);
        assert.equal(postEvents.filter((e) => e.type === 'PostWasPublished').length, 1, postEvents.map((e) => e.type).join(', '));
        const instance = await store.readStream(`workflow-review-${postId}`);
        const fired = instance.filter((e) => e.type === 'TimerFired');
        assert.equal(fired.length, 1);
        assert.ok((fired[0]!.data as { latenessMs: number }).latenessMs >= 500, 'the timer fired after the downtime, late');
        assert.equal(instance.filter((e) => e.type === 'OutboxMessage').length, 1);
        assert.equal(instance.at(-1)!.type, 'WorkflowCompleted');
      } finally {
        await store.close();
      }
      // and one message for it on the subject.
      const messages = (await jetStreamMessages(natsUrl, stream.name)).filter(
        (m) => m.subject === BLOG_PUBLISHED_SUBJECT && (m.payload as { postId?: string }).postId === postId,
      );
      assert.equal(messages.length, 1, JSON.stringify(messages));
      assert.equal(messages[0]!.streamId, `workflow-review-${postId}`);
    });
  });
});
