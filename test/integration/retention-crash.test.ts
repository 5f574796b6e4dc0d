// Crash: a pruner killed with kill -9 at each step of a prune (after a compaction, in
// the middle of its archive, with its archive complete and the deletion still to do)
// leaves every event either in the store or in a complete, verified archive, never
// neither; and the next run finishes the prune, with one RetentionRun and no event lost.
// On SQLite and on PostgreSQL.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { compactingEvolve, openEventStore, pruneStore, readArchive, type EventStore, type RecordedEvent } from '../../src/index.js';
import { postgresTestUrl } from '../../src/testing/postgres.js';
import { PRUNED_POSTS } from '../../src/testing/processes/pruned-posts.js';
import { startProcess } from '../../src/testing/processes/spawn.js';

const STREAMS = 20;
const EVENTS = 10;
const KEPT = 2;
/** Kills at moments spread evenly from a run's start to its end. */
const TRIALS = 8;

const dir = mkdtempSync(join(tmpdir(), 'eventline-prune-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const backends = [{ name: 'SQLite', freshUrl: async () => `sqlite:${join(dir, `crash-${++files}.db`)}` }];
const postgres = postgresTestUrl();
if (postgres) {
  after(() => postgres.dropAll());
  backends.push({ name: 'PostgreSQL', freshUrl: postgres.freshUrl });
} else {
  test('prune crashes on PostgreSQL', { skip: 'EVENTLINE_POSTGRES_URL is not set' }, () => {});
}

/** Where a kill lands: a phase of the run and how far into it. */
const STOPS: readonly [phase: string, done: number, where: string][] = [
  ['compact', 1, 'after its first compaction'],
  ['archive', (STREAMS * (EVENTS - KEPT)) / 2, 'halfway through writing its archive'],
  ['delete', 0, 'with its archive complete and the deletion still to do'],
];

const key = (e: Pick<RecordedEvent, 'streamId' | 'version' | 'position'>) => `${e.streamId}@${e.version}#${e.position}`;

/** Given: STREAMS posts of EVENTS events each. */
async function givenPosts(store: EventStore): Promise<void> {
  for (let s = 0; s < STREAMS; s++) {
    await store.appendToStream(`post-${s}`, Array.from({ length: EVENTS }, (_, n) => ({ type: 'Edited', data: { n } })));
  }
}

async function posts(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for await (const e of store.readAll({ streamPrefix: 'post-' })) if (e.type === 'Edited') all.push(e);
  return all;
}

/** Every event in the complete archives of `folder` (a manifest beside each). */
async function archived(folder: string): Promise<string[]> {
  const found: string[] = [];
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.manifest.json'))) {
    for await (const e of readArchive(join(folder, name))) found.push(key(e));
  }
  return found;
}

for (const backend of backends) {
  describe(`prune crashes on ${backend.name}`, () => {
    for (const [phase, done, where] of STOPS) {
      test(`a pruner killed ${where} leaves the events or their archive, and the next run completes the prune`, { timeout: 60_000 }, async (t) => {
        const url = await backend.freshUrl();
        const folder = join(dir, `archives-${++files}`);
        const store = await openEventStore(url);
        try {
          await givenPosts(store);
          const original = (await posts(store)).map(key);

          const pruner = startProcess('pruner', [url, folder, phase, String(done)]);
          t.after(() => pruner.kill());
          await pruner.printed('stopped');
          await pruner.kill();

          await assertNeverNeither(store, folder, original);
          assert.deepEqual(await store.readStream('$retention'), [], 'the killed run recorded nothing');
          await assertRerunCompletes(store, folder, original);
        } finally {
          await store.close();
        }
      });
    }

    // Kills that land wherever the run happens to be: before it starts, while it compacts,
    // archives or deletes, or after it is done.
    test(`pruners killed at ${TRIALS} moments spread over a run each leave the events or their archive, and the next run completes the prune`, { timeout: 180_000 }, async (t) => {
      const landed: Record<string, number> = {};
      const runMs = await uninterruptedRunMs();
      for (let trial = 0; trial < TRIALS; trial++) {
        const url = await backend.freshUrl();
        const folder = join(dir, `archives-${++files}`);
        const store = await openEventStore(url);
        try {
          await givenPosts(store);
          const original = (await posts(store)).map(key);
          const pruner = startProcess('pruner', [url, folder, 'none']);
          t.after(() => pruner.kill());
          await pruner.printed('pruning');
          await sleep((trial * runMs) / (TRIALS - 1));
          await pruner.kill();

          const where = await whereItStopped(store, folder);
          landed[where] = (landed[where] ?? 0) + 1;
          await assertNeverNeither(store, folder, original);
          await assertRerunCompletes(store, folder, original);
        } finally {
          await store.close();
        }
      }
      t.diagnostic(`a run takes ${Math.round(runMs)} ms; kills landed: ${JSON.stringify(landed)}`);
    });

    /** How long a pruner takes on the same store, not killed: the kills are spread over it. */
    async function uninterruptedRunMs(): Promise<number> {
      const url = await backend.freshUrl();
      const store = await openEventStore(url);
      try {
        await givenPosts(store);
      } finally {
        await store.close();
      }
      const pruner = startProcess('pruner', [url, join(dir, `archives-${++files}`), 'none']);
      return ((await pruner.result) as { ms: number }).ms;
    }
  });
}

/** Never neither: each event is in the store or in a complete archive. */
async function assertNeverNeither(store: EventStore, folder: string, original: readonly string[]): Promise<void> {
  const kept = new Set([...(await posts(store)).map(key), ...(await archived(folder))]);
  assert.deepEqual(original.filter((e) => !kept.has(e)), [], 'no event is lost');
}

/** The next run finishes what the killed one left: one RetentionRun, every event once, every fold as before. */
async function assertRerunCompletes(store: EventStore, folder: string, original: readonly string[]): Promise<void> {
  await pruneStore(store, { policies: PRUNED_POSTS, archiveDir: folder });
  const runs = (await store.readStream('$retention')).filter((e) => e.type === 'RetentionRun');
  assert.equal(runs.length, 1, 'one RetentionRun for the whole prune');

  const surviving = (await posts(store)).map(key);
  const inArchives = await archived(folder);
  assert.equal(surviving.length, STREAMS * KEPT);
  assert.deepEqual([...surviving, ...inArchives].sort(), [...original].sort(), 'every event exactly once: in the store or in the archive');
  assert.deepEqual((await readdir(folder)).filter((n) => n.endsWith('.partial')), []);
  for (let s = 0; s < STREAMS; s++) {
    const { state } = await store.foldStream(`post-${s}`, 0, compactingEvolve(PRUNED_POSTS[0]!.fold! as never) as (n: number, e: { type: string; data: unknown }) => number);
    assert.equal(state, EVENTS, `post-${s} folds to what its full history did`);
  }
}

/** How far a killed run got, by what it left. */
async function whereItStopped(store: EventStore, folder: string): Promise<string> {
  if ((await store.readStream('$retention')).some((e) => e.type === 'RetentionRun')) return 'deleted';
  const names = await readdir(folder).catch(() => [] as string[]);
  if (names.some((n) => n.endsWith('.manifest.json'))) return 'archived';
  if (names.some((n) => n.endsWith('.partial'))) return 'archiving';
  const compacted = (await posts(store)).length < STREAMS * EVENTS || (await store.readStream('post-0')).some((e) => e.type === 'StreamCompacted');
  return compacted ? 'compacting' : 'not started';
}
