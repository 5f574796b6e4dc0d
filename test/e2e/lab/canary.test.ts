// The canary: an author's name and email written through the Lab as a real process, on
// a SQLite file (and a PostgreSQL schema when EVENTLINE_POSTGRES_URL is set), into
// events, the posts' snapshots, the read models, the Lab's log and (with NATS) the
// outbox. Before the forget the canary is in no log line and no outbox message, and
// `eventline subjects verify` finds it only where the read models keep it in the clear.
// After the forget through the Lab's API, verify finds it 0 times in every file of the
// store (on SQLite the db, -wal, -shm and keys.db; on PostgreSQL a pg_dump of the event
// and key schemas) and in the Lab's log.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { natsUnavailable, postgresTestUrl, postgresUnavailable } from '../../../src/testing/index.js';
import { blogJetStream, deleteJetStream } from '../../fixtures/outbox.js';
import { loadNats } from '../../../src/workflows/outbox/nats-client.js';
import { records, startEventline } from '../../fixtures/cli.js';
import type { EventJson } from '../../../lab/api-types.js';
import { eventually, getJson, postJson, startLab, TEST_KEK } from './support.js';

const NAME = 'Nell Canary-3e9d';
const EMAIL = 'nell.canary-3e9d@example.org';

const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-canary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Without NATS the story runs without the outbox relay, after a notice; under CI=true NATS must be there.
const nats = await natsUnavailable();
if (nats?.required) test('NATS for the canary through the outbox', () => assert.fail(nats.reason));
else if (nats !== undefined) console.log(`# notice: ${nats.reason}; the canary test runs without the outbox relay`);
const natsUrl = nats === undefined ? process.env.EVENTLINE_NATS_URL!.trim() : undefined;

/** Every message published on `subject` from now on, as text, until closed. */
async function listen(url: string, subject: string): Promise<{ messages(): string[]; close(): Promise<void> }> {
  const { transport } = await loadNats();
  const nc = await transport.connect({ servers: url });
  const seen: string[] = [];
  const subscription = nc.subscribe(subject, { callback: (error, message) => void (error === null && seen.push(message.string())) });
  await nc.flush();
  return {
    messages: () => [...seen],
    async close() {
      subscription.unsubscribe();
      await nc.close();
    },
  };
}

interface VerifyReport {
  subjectHash: string | null;
  scanned: string[];
  found: { place: string; encoding: string; count: number }[];
}

/** `eventline subjects verify` as a user runs it, with the Lab's KEK; its JSON report. */
async function verify(url: string, authorId: string, canary: string, logFile: string): Promise<VerifyReport> {
  const result = await startEventline(['--store', url, '--json', 'subjects', 'verify', authorId, '--canary', canary, '--path', logFile], dir, { EVENTLINE_KEK: TEST_KEK }).done;
  assert.ok(result.code === 0 || result.code === 1, `verify: exit ${result.code}: ${result.stderr}`);
  assert.ok(!result.stdout.includes(canary) && !result.stderr.includes(canary), 'verify never prints the canary');
  return records(result.stdout)[0] as unknown as VerifyReport;
}

/** Where verify may find the canary before the forget (the read models' store), and the places it must scan. */
interface Places {
  store: RegExp;
  scanned: RegExp[];
}

function canaryStory(kind: string, makeUrl: () => Promise<string>, places: Places): void {
  describe(`the canary through the Lab on ${kind}`, () => {
    let stream: { name: string; created: boolean } | undefined;
    after(async () => {
      if (natsUrl !== undefined && stream?.created) await deleteJetStream(natsUrl, stream.name);
    });

    test('before the forget it is in no log line and no outbox message; after it verify finds it nowhere', { timeout: 90_000 }, async () => {
      const url = await makeUrl();
      const logFile = join(dir, `${kind}.log`);
      stream = natsUrl === undefined ? undefined : await blogJetStream(natsUrl, 'LAB_CANARY');
      const lab = await startLab(url, natsUrl === undefined || stream === undefined ? {} : { EVENTLINE_NATS_URL: natsUrl, EVENTLINE_NATS_STREAM: stream.name });
      // Post ids of this run's own: a stream shared with other runs holds their messages too.
      const [first, second] = ['first', 'second'].map((name) => `${name}-${randomBytes(4).toString('hex')}`) as [string, string];
      try {
        // An author with the canary for a name and an email, and two posts by them.
        const registered = await postJson<{ authorId: string }>(`${lab.url}/api/authors`, { name: NAME, email: EMAIL });
        assert.equal(registered.status, 201);
        const { authorId } = registered.body;
        for (const postId of [first, second]) {
          assert.equal((await postJson(`${lab.url}/api/posts`, { postId, title: `The ${postId} post`, body: '…', authorId })).status, 201);
        }
        // Five events of one post: the Lab takes its snapshot.
        for (const title of ['Edited 1', 'Edited 2', 'Edited 3', 'Edited 4']) {
          const edited = await fetch(`${lab.url}/api/posts/${first}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
          assert.equal(edited.status, 200);
        }
        const snapshot = await getJson<{ snapshot: { version: number } | null }>(`${lab.url}/api/posts/${first}/snapshot`);
        assert.equal(snapshot.body.snapshot?.version, 5, 'a snapshot was taken');
        const listed = await getJson<{ items: { author: { name?: string } }[] }>(`${lab.url}/api/posts`);
        assert.deepEqual(listed.body.items.map((p) => p.author.name), [NAME, NAME], 'the posts show the name, from the authors read model');

        if (natsUrl !== undefined && stream !== undefined) {
          // Published through the review workflow: its outbox relays the announcement to NATS.
          // Read as it goes by on the subject (a core subscription), whichever stream keeps it.
          const relayed = await listen(natsUrl, 'blog.>');
          assert.equal((await postJson(`${lab.url}/api/posts/${second}/submit`, {})).status, 200);
          await eventually('the review started', async () => ((await getJson<{ version: number }>(`${lab.url}/api/streams/post-${second}`)).body.version >= 3 ? true : undefined));
          assert.equal((await postJson(`${lab.url}/api/posts/${second}/review`, { decision: 'approve' })).status, 200);
          await eventually('the announcement is relayed', async () => {
            const health = await getJson<{ outbox: { undelivered: number } }>(`${lab.url}/api/health`);
            const { events } = (await getJson<{ events: EventJson[] }>(`${lab.url}/api/events?type=OutboxMessage`)).body;
            return events.length > 0 && health.body.outbox.undelivered === 0 ? true : undefined;
          }, 20_000);
          const messages = await eventually('the announcement goes by', async () => {
            const seen = relayed.messages();
            return seen.some((text) => text.includes(second)) ? seen : undefined;
          });
          await relayed.close();
          const outbox = (await getJson<{ events: EventJson[] }>(`${lab.url}/api/events?type=OutboxMessage`)).body.events;
          for (const payload of [...messages, JSON.stringify(outbox)]) {
            assert.ok(!payload.includes(NAME) && !payload.includes(EMAIL), 'no canary in an outbox message');
          }
        }

        // Before the forget: in no log line, and found by verify only in the store's own files (the read models keep it).
        const before = lab.stderr() + lab.stdout();
        assert.ok(!before.includes(NAME) && !before.includes(EMAIL), 'no canary in the log');
        writeFileSync(logFile, before);
        for (const canary of [NAME, EMAIL]) {
          const report = await verify(url, authorId, canary, logFile);
          assert.ok(report.found.length > 0, `verify finds the ${canary === NAME ? 'name' : 'email'} where the read models keep it`);
          for (const { place } of report.found) assert.match(place, places.store, 'only in the store, never in keys or the log');
        }

        const forgotten = await postJson<{ receipt: { keyIds: string[] } }>(`${lab.url}/api/authors/${authorId}/forget`, {});
        assert.equal(forgotten.status, 200);
        assert.equal(forgotten.body.receipt.keyIds.length, 2);
        assert.deepEqual((await getJson(`${lab.url}/api/authors/${authorId}`)).body, { authorId, erased: true });

        assert.equal(await lab.stop(), 0, lab.stderr());
        const log = lab.stderr() + lab.stdout();
        assert.ok(!log.includes(NAME) && !log.includes(EMAIL), 'no canary in the log');
        writeFileSync(logFile, log);

        for (const canary of [NAME, EMAIL]) {
          const report = await verify(url, authorId, canary, logFile);
          assert.deepEqual(report.found, [], `the ${canary === NAME ? 'name' : 'email'} is found nowhere`);
          assert.ok(report.scanned.includes(logFile), 'the log was scanned');
          for (const place of places.scanned) assert.ok(report.scanned.some((p) => place.test(p)), `${place} was scanned: ${report.scanned.join(', ')}`);
        }
      } finally {
        await lab.stop('SIGKILL');
      }
    });
  });
}

canaryStory('SQLite', async () => `sqlite:${join(dir, 'sqlite', 'blog.db')}`, { store: /blog\.db(-wal|-shm)?$/, scanned: [/\/blog\.db$/, /\/keys\.db$/] });

const postgres = postgresTestUrl();
if (postgres !== undefined) {
  after(() => postgres.dropAll());
  canaryStory(
    'PostgreSQL',
    () => postgres.freshUrl(),
    { store: /^pg_dump of schemas /, scanned: [/^pg_dump of schemas t_[0-9a-f]+, t_[0-9a-f]+_keys$/] },
  );
} else {
  const unavailable = postgresUnavailable()!;
  test('the canary through the Lab on PostgreSQL', (t) => (unavailable.required ? assert.fail(unavailable.reason) : t.skip(unavailable.reason)));
}
