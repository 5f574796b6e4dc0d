// Snapshots: a long stream loads as fast as a short one. Loading reads the stream's
// snapshot and only the events after it; a policy takes new snapshots as commands
// run; a new schema version ignores the old ones. Run: npx tsx examples/08-snapshots/index.ts

import { everyNEvents, handleCommand, loadState, openEventStore, type EventStore, type SnapshotOptions } from '../../src/index.js';
import { POST_SNAPSHOT_SCHEMA_VERSION, postDecider, postStreamId, type PostEvent } from '../blog/index.js';
import { storyteller, tellWhenRun } from '../story.js';

export interface Story {
  lines: string[];
  /** Events folded by a load without snapshots, then with one. */
  foldedWithout: number;
  foldedWith: number;
  /** The most events any load folded while the policy ran, and the versions it snapshotted at. */
  mostFoldedUnderPolicy: number;
  snapshotVersions: number[];
  /** After the schema version changed: the first load, and a load after the next command. */
  foldedAfterSchemaChange: number;
  foldedAfterNewSnapshot: number;
  /** What was logged when the snapshot could not be written, and the command's new version. */
  failureLogged: string[];
  versionAfterFailure: number;
}

const STREAM = postStreamId('long');
const BATCH = 500;

/** Tells the story on `storeUrl` (an empty store) with a stream of `events` events. */
export async function main(storeUrl = 'memory:', print: (line: string) => void = console.log, events = 10_000): Promise<Story> {
  const { lines, say } = storyteller(print);
  const n = (value: number) => value.toLocaleString('en');
  const store = await openEventStore(storeUrl);
  try {
    say(`Snapshots on ${storeUrl}`);
    say();
    await writeLongStream(store, events);
    const without = await timed(() => loadState(store, STREAM, postDecider));
    say(`${STREAM} has ${n(without.result.version)} events. Loading it without a snapshot folds ${n(without.result.eventsApplied)} (${without.ms} ms).`);

    // The policy: a snapshot whenever the stream is 100 events past the last one.
    let snapshots: SnapshotOptions = { schemaVersion: POST_SNAPSHOT_SCHEMA_VERSION, policy: everyNEvents(100) };
    let edits = 0;
    const edit = (options: SnapshotOptions, on: EventStore = store) =>
      handleCommand(on, STREAM, postDecider, { type: 'EditPost', postId: 'long', title: `Edit ${++edits}` }, { snapshots: options });

    await edit(snapshots);
    const snapshot = await store.snapshots.load(STREAM);
    const withOne = await timed(() => loadState(store, STREAM, postDecider, { snapshots }));
    say(`One command with everyNEvents(100) took a snapshot at version ${n(snapshot!.version)}.`);
    say(`Loading with it folds ${withOne.result.eventsApplied} events (${withOne.ms} ms): one snapshot read, then the events after it.`);

    say();
    const snapshotVersions = [snapshot!.version];
    let mostFolded = 0;
    for (let i = 0; i < 250; i++) {
      mostFolded = Math.max(mostFolded, (await loadState(store, STREAM, postDecider, { snapshots })).eventsApplied);
      await edit(snapshots);
      const taken = (await store.snapshots.load(STREAM))!.version;
      if (taken !== snapshotVersions.at(-1)) snapshotVersions.push(taken);
    }
    say(`250 more commands: snapshots at versions ${snapshotVersions.map(n).join(', ')}; no load folded more than ${mostFolded} events.`);

    say();
    // The state's shape changed (say PostState gained a field): a new schema version.
    snapshots = { ...snapshots, schemaVersion: POST_SNAPSHOT_SCHEMA_VERSION + 1 };
    const afterChange = await loadState(store, STREAM, postDecider, { snapshots });
    say(`With schema version ${snapshots.schemaVersion}, the version ${POST_SNAPSHOT_SCHEMA_VERSION} snapshot is ignored: the load folds ${n(afterChange.eventsApplied)} events.`);
    await edit(snapshots);
    const replaced = (await store.snapshots.load(STREAM))!;
    const afterNew = await loadState(store, STREAM, postDecider, { snapshots });
    say(`The next command replaced it (version ${n(replaced.version)}, schema ${replaced.schemaVersion}); loads fold ${afterNew.eventsApplied} again.`);

    say();
    const failureLogged: string[] = [];
    const failing: EventStore = { ...store, snapshots: { ...store.snapshots, save: () => Promise.reject(new Error('the disk is full')) } };
    const logger = { warn: (line: string) => void failureLogged.push(line) };
    const result = await edit({ ...snapshots, policy: everyNEvents(1), logger }, failing);
    say(`A snapshot that cannot be written is logged, and the command succeeds (version ${n(result.nextExpectedVersion)}):`);
    for (const line of failureLogged) say(`  ${line}`);

    return {
      lines,
      foldedWithout: without.result.eventsApplied,
      foldedWith: withOne.result.eventsApplied,
      mostFoldedUnderPolicy: mostFolded,
      snapshotVersions,
      foldedAfterSchemaChange: afterChange.eventsApplied,
      foldedAfterNewSnapshot: afterNew.eventsApplied,
      failureLogged,
      versionAfterFailure: result.nextExpectedVersion,
    };
  } finally {
    await store.close();
  }
}

/** A post created, then edited `count - 1` times: appended in batches, as an import would. */
async function writeLongStream(store: EventStore, count: number): Promise<void> {
  const created: PostEvent = { type: 'PostWasCreated', data: { postId: 'long', title: 'Draft 0', body: 'A long story.', authorId: 'ada' } };
  const edited = (i: number): PostEvent => ({ type: 'PostWasEdited', data: { postId: 'long', title: `Draft ${i}`, body: 'A long story.' } });
  let batch: PostEvent[] = [created];
  for (let i = 1; i < count; i++) {
    batch.push(edited(i));
    if (batch.length === BATCH) {
      await store.appendToStream(STREAM, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.appendToStream(STREAM, batch);
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: string }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: (performance.now() - started).toFixed(1) };
}

await tellWhenRun(import.meta.url, main);
