// Data pruning: old events leave the store for good, and nothing that reads it breaks.
// Abandoned drafts go whole, a long-lived post's history is compacted to its state, the
// removed events go to a verified archive first, and a projection that has not read
// them stops the prune. Run: npx tsx examples/09-pruning/index.ts [store URL]

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  days,
  loadState,
  openEventStore,
  pruneStore,
  PruneRefusedError,
  registeredConsumers,
  restoreArchive,
  RETENTION_RUN,
  RETENTION_STREAM,
  startProjections,
  verifyArchive,
  type EventStore,
  type PlannedStream,
  type PolicyTotals,
  type RetentionRunData,
} from '../../src/index.js';
import { blogRetentionPolicies, handlePostCommand, postDecider, postStreamId, type PostCommand, type PostState } from '../blog/index.js';
import { postsProjection, type PostRow } from '../blog/read-side/index.js';
import { rowsOf } from '../blog/read-side/testing.js';
import { storyteller, tellWhenRun } from '../story.js';

/** A published post keeps its newest this many events; the rest become one StreamCompacted. */
export const KEPT_EVENTS = 20;
export const ABANDONED = ['old-ideas', 'half-a-thought', 'notes-to-self'];
export const LONG = 'engines';
export const SHORT = 'loops';
export const FRESH = 'fresh';
const EDITS = 120;

/** An event as a store keeps it (its bodies as its codec stored them). */
type StoredEvent = Awaited<ReturnType<EventStore['retention']['readStored']>>[number];

/** A stream's place in a plan: what goes, and why. */
export type Planned = Pick<PlannedStream, 'policy' | 'streamId' | 'action' | 'fromVersion' | 'upToVersion' | 'events' | 'bytes'>;

export interface Story {
  lines: string[];
  /** The dry run: per policy, per stream, and whether the store was the same after it. */
  dryRun: { policies: PolicyTotals[]; streams: Planned[]; stranded: string[]; unchanged: boolean };
  /** The run the lagging projection stopped, and whether it left the store and the archive folder alone. */
  refused: { reason: string; consumers: string[]; unchanged: boolean; archiveFiles: string[] };
  /** The run: what it removed, and the RetentionRun event it recorded. */
  run: { removed: number; streams: Planned[]; recorded: RetentionRunData };
  /** Each post's stream after the run: its first and last versions and event count (0 for a removed one). */
  streams: Record<string, { first: number; last: number; events: number; lastType: string | undefined }>;
  /** Each surviving post's state, loaded before the run and after it. */
  states: Record<string, { before: PostState; after: PostState }>;
  /** The new edit of the compacted post: its version and position, and the head before the run. */
  edit: { version: number; position: number; headBefore: number };
  /** The archive: how many events verified and were restored into another store; the removed events as stored before the run, and as the other store holds them. */
  archive: { verified: number; restored: number; removed: StoredEvent[]; restoredAsStored: StoredEvent[] };
  /** The posts read model's rows once the running projection has taken the run's events, no rebuild. */
  liveRows: string[];
  /** The posts read model rebuilt from position 0 after the run, and what each row should say. */
  rebuilt: PostRow[];
  expectedRows: Pick<PostRow, 'post_id' | 'title' | 'status' | 'author_id' | 'version'>[];
}

/** Tells the story on `storeUrl` (an empty store), with archives in `folder` (a new temporary one when not given). */
export async function main(storeUrl = 'memory:', print: (line: string) => void = console.log, folder?: string): Promise<Story> {
  const dir = folder ?? (await mkdtemp(join(tmpdir(), 'eventline-09-')));
  const store = await openEventStore(storeUrl);
  try {
    return await tell(store, storeUrl, dir, print);
  } finally {
    await store.close();
    if (folder === undefined) await rm(dir, { recursive: true, force: true });
  }
}

async function tell(store: EventStore, storeUrl: string, dir: string, print: (line: string) => void): Promise<Story> {
  const { lines, say } = storyteller(print);
  const archiveDir = join(dir, 'archives');
  const run = (command: PostCommand) => handlePostCommand(store, command);
  const posts = [...ABANDONED, LONG, SHORT, FRESH];

  say(`Pruning the blog on ${storeUrl}`);
  say();
  for (const postId of ABANDONED) {
    await run({ type: 'CreatePost', postId, title: `Untitled ${postId}`, body: '…', authorId: 'ada' });
    await run({ type: 'EditPost', postId, body: 'Maybe later.' });
  }
  const draftsTouched = await lastRecordedAt(store, postStreamId(ABANDONED.at(-1)!));
  // Let the store's clock move on, so whatever comes next is recorded later than the drafts.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await run({ type: 'CreatePost', postId: LONG, title: 'Notes on the Analytical Engine', body: '…', authorId: 'ada' });
  await run({ type: 'PublishPost', postId: LONG });
  for (let i = 1; i <= EDITS / 2; i++) await run({ type: 'EditPost', postId: LONG, body: `Revision ${i}` });
  // The posts read model reads this far, then stops (a deploy, a crash): it lags behind.
  const lagging = startProjections(store, [postsProjection], { pollIntervalMs: 20 });
  await lagging.waitFor(postsProjection.name, await store.headPosition(), 10_000);
  await lagging.stop();
  for (let i = EDITS / 2 + 1; i <= EDITS; i++) await run({ type: 'EditPost', postId: LONG, body: `Revision ${i}` });
  await run({ type: 'CreatePost', postId: SHORT, title: 'Repeating a group of operations', body: '…', authorId: 'grace' });
  await run({ type: 'PublishPost', postId: SHORT });
  await run({ type: 'EditPost', postId: SHORT, title: 'Loops' });
  await run({ type: 'CreatePost', postId: FRESH, title: 'Work in progress', body: '…', authorId: 'grace' });
  // The fake clock: the prune judges ages at `now`, a year after a moment between the
  // drafts' last edit and the fresh draft, so the drafts are over a year old by then and
  // the fresh draft is not.
  const freshWritten = await lastRecordedAt(store, postStreamId(FRESH));
  const now = new Date((draftsTouched + freshWritten) / 2 + days(365));
  const policies = blogRetentionPolicies({ keptEvents: KEPT_EVENTS });
  say(`${ABANDONED.length} drafts left a year ago, post-${LONG} published with ${EDITS} edits, post-${SHORT} published with 1, post-${FRESH} a fresh draft.`);
  say(`The prune's clock reads ${now.toISOString().slice(0, 10)}; the posts read model stopped at position ${await checkpointOf(store)} of ${await store.headPosition()}.`);

  // Dry run: the plan, and nothing written.
  say();
  const before = await everything(store);
  const dry = await pruneStore(store, { policies, archiveDir, now, dryRun: true });
  const dryRun = {
    policies: dry.plan.policies,
    streams: dry.plan.streams.map(planned),
    stranded: dry.plan.stranded.map((c) => `${c.kind} ${c.name}`),
    unchanged: (await everything(store)) === before,
  };
  say(`Dry run (--dry-run): ${dry.plan.events} events, ${dry.plan.bytes} bytes would go; the store is ${dryRun.unchanged ? 'unchanged' : 'CHANGED'}.`);
  for (const p of dry.plan.policies) say(`  ${p.policy.padEnd(17)} ${p.streams} streams, ${p.events} events, ${p.bytes} bytes`);
  for (const s of dryRun.streams) say(`    ${s.streamId.padEnd(19)} ${s.action.padEnd(7)} versions ${s.fromVersion}-${s.upToVersion}: ${s.events} events, ${s.bytes} bytes`);
  say(`  It would strand: ${dryRun.stranded.join(', ') || 'nothing'}.`);

  // The run, refused: the lagging projection has not read what it would remove.
  say();
  let refused: Story['refused'] = { reason: '', consumers: [], unchanged: false, archiveFiles: [] };
  try {
    await pruneStore(store, { policies, archiveDir, now });
  } catch (error) {
    if (!(error instanceof PruneRefusedError)) throw error;
    refused = { reason: error.reason, consumers: [...error.consumers], unchanged: (await everything(store)) === before, archiveFiles: await readdir(archiveDir) };
    say(`The prune is refused (${error.reason}): ${error.message}`);
    say(`  Nothing written: the store is ${refused.unchanged ? 'unchanged' : 'CHANGED'}, the archive folder holds ${refused.archiveFiles.length} files.`);
  }

  // The projection catches up (and keeps running), then the run goes ahead.
  const projections = startProjections(store, [postsProjection], { pollIntervalMs: 20 });
  try {
    await projections.waitFor(postsProjection.name, await store.headPosition(), 10_000);
    say(`The posts read model catches up to position ${await checkpointOf(store)}.`);

    const loaded = await statesOf(store, posts);
    const removedAsStored = await storedRanges(store, dry.plan.streams);
    const headBefore = await store.headPosition();
    say();
    const report = await pruneStore(store, { policies, archiveDir, now });
    const [recorded] = (await store.readStream(RETENTION_STREAM)).filter((e) => e.type === RETENTION_RUN).map((e) => e.data as RetentionRunData);
    say(`The prune removed ${report.removed} events of ${recorded!.streams} streams into ${recorded!.archive}.`);
    say(`  RetentionRun: bytes ${recorded!.bytesBefore} before, ${recorded!.bytesAfter} after (${recorded!.bytesBefore - recorded!.bytesAfter} bytes of events gone).`);
    await projections.waitFor(postsProjection.name, await store.headPosition(), 10_000);
    const liveRows = (await rowsOf<PostRow>(store, 'posts', 'post_id')).map((row) => row.post_id);
    say(`  The running posts projection keeps up: its rows are now ${liveRows.join(', ')} (a StreamsRemoved event named the drafts).`);

    const streams: Story['streams'] = {};
    for (const postId of posts) {
      const events = await store.readStream(postStreamId(postId));
      streams[postId] = { first: events[0]?.version ?? 0, last: events.at(-1)?.version ?? 0, events: events.length, lastType: events.at(-1)?.type };
      const s = streams[postId]!;
      const versions = s.first === s.last ? `version ${s.first}` : `versions ${s.first}-${s.last}`;
      say(`  post-${postId.padEnd(15)} ${s.events === 0 ? 'removed whole (archived)' : `${versions}, the last a ${s.lastType}`}`);
    }
    const states: Story['states'] = {};
    for (const postId of [LONG, SHORT, FRESH]) {
      states[postId] = { before: loaded.get(postId)!, after: (await loadState(store, postStreamId(postId), postDecider)).state };
    }
    const same = isDeepStrictEqual(states[LONG]!.before, states[LONG]!.after);
    say(`  Loaded again, post-${LONG} is ${same ? 'the same' : 'NOT the same'} as before: its StreamCompacted event carries the state its pruned events added up to.`);

    const edited = await run({ type: 'EditPost', postId: LONG, title: 'Notes on the Analytical Engine, revised' });
    const edit = { version: edited.nextExpectedVersion, position: edited.lastPosition, headBefore };
    say(`  A new edit of post-${LONG} is version ${edit.version}, at position ${edit.position}: positions go on past ${headBefore}, never reused.`);

    say();
    const verified = await verifyArchive(report.archive!.file);
    const restoreUrl = store.kind === 'memory' ? 'memory:' : `sqlite:${join(dir, 'restored.db')}`;
    const other = await openEventStore(restoreUrl);
    let archive: Story['archive'];
    try {
      const restored = await restoreArchive(report.archive!.file, other);
      archive = { verified: verified.events, restored: restored.restored, removed: removedAsStored, restoredAsStored: await storedRanges(other, dry.plan.streams) };
    } finally {
      await other.close();
    }
    say(`The archive verifies (${archive.verified} events, SHA-256 ${report.archive!.sha256.slice(0, 12)}…).`);
    const identical = isDeepStrictEqual(archive.restoredAsStored.map(canonical), archive.removed.map(canonical));
    say(`Restored into another store (${restoreUrl}): ${archive.restored} events, ${identical ? 'byte for byte' : 'NOT'} as this one held them.`);

    say();
    await projections.rebuild(postsProjection.name);
    await projections.waitFor(postsProjection.name, await store.headPosition(), 10_000);
    const rebuilt = await rowsOf<PostRow>(store, 'posts', 'post_id');
    const expectedRows = await expectedRowsOf(store, [LONG, SHORT, FRESH]);
    say(`The posts read model rebuilt from position 0 (post-${LONG}'s row from its StreamCompacted state):`);
    for (const row of rebuilt) say(`  ${row.post_id.padEnd(8)} ${row.status.padEnd(9)} v${row.version} "${row.title}" by ${row.author_id}`);

    return {
      lines,
      dryRun,
      refused,
      run: { removed: report.removed, streams: report.plan.streams.map(planned), recorded: recorded! },
      liveRows,
      streams,
      states,
      edit,
      archive,
      rebuilt,
      expectedRows,
    };
  } finally {
    await projections.stop();
  }
}

/** When the newest event of a stream was recorded, by the store's clock (milliseconds). */
async function lastRecordedAt(store: EventStore, streamId: string): Promise<number> {
  const [newest] = await store.readStream(streamId, { direction: 'backward', maxCount: 1 });
  return newest!.recordedAt.getTime();
}

const planned = ({ policy, streamId, action, fromVersion, upToVersion, events, bytes }: PlannedStream): Planned => ({ policy, streamId, action, fromVersion, upToVersion, events, bytes });

/** Every event of the store, as read: what the dry run and a refused run must leave as it is. */
async function everything(store: EventStore): Promise<string> {
  const all = [];
  for await (const e of store.readAll()) all.push([e.position, e.streamId, e.version, e.type, e.data]);
  return JSON.stringify(all);
}

/** How far the posts read model has read, as the prune's guard sees it. */
async function checkpointOf(store: EventStore): Promise<number> {
  const posts = (await registeredConsumers(store)).find((c) => c.kind === 'projection' && c.name === postsProjection.name);
  return posts?.position ?? 0;
}

async function statesOf(store: EventStore, postIds: readonly string[]): Promise<Map<string, PostState>> {
  const states = new Map<string, PostState>();
  for (const postId of postIds) states.set(postId, (await loadState(store, postStreamId(postId), postDecider)).state);
  return states;
}

/** The events of the planned ranges as the store keeps them (the bodies as its codec stored them). */
async function storedRanges(store: EventStore, ranges: readonly PlannedStream[]): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (const { streamId, fromVersion, upToVersion } of ranges) events.push(...(await store.retention.readStored(streamId, fromVersion, upToVersion - fromVersion + 1)));
  return events;
}

/** An event's fields in one order, to compare events read from two stores. */
const canonical = ({ position, streamId, version, eventId, type, data, metadata, recordedAt }: StoredEvent) => [position, streamId, version, eventId, type, data, metadata, recordedAt.getTime()];

/** What each post's row must say: its state as loaded, at its stream's version. */
async function expectedRowsOf(store: EventStore, postIds: readonly string[]): Promise<Story['expectedRows']> {
  const rows: Story['expectedRows'] = [];
  for (const postId of postIds) {
    const { state, version } = await loadState(store, postStreamId(postId), postDecider);
    if (state.status !== 'absent') rows.push({ post_id: postId, title: state.title, status: state.status, author_id: state.authorId, version });
  }
  return rows.sort((a, b) => (a.post_id < b.post_id ? -1 : 1));
}

await tellWhenRun(import.meta.url, main);
