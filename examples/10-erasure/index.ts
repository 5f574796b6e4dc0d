// Erasure by crypto-shredding: an author's name and email are sealed under keys of their
// own, and forgetting the author destroys those keys. Their posts remain; their name reads
// as erased everywhere; nothing of them is left in the database files.
// Run: npx tsx examples/10-erasure/index.ts [folder]   (default: a new temporary folder)

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  everyNEvents,
  isErased,
  loadKek,
  loadState,
  openEventStore,
  openKeyStorage,
  openPrivacy,
  startProjections,
  type ErasureReceipt,
  type EventStore,
  type SubjectExport,
} from '../../src/index.js';
import {
  authorPersonalData,
  authorQueries,
  authorsProjection,
  forgetAuthor,
  handleAuthorCommand,
  handlePostCommand,
  newAuthorId,
  POST_SNAPSHOT_SCHEMA_VERSION,
  postDecider,
  postStreamId,
  type AuthorView,
  type PostCommand,
} from '../blog/index.js';
import { postQueries, postsProjection, type PostView } from '../blog/read-side/index.js';
import { storyteller, tellInFolderWhenRun } from '../story.js';

/** Ada's personal data: what must be gone from every file once she is forgotten. */
export const ADA = { name: 'Ada Canary-1815', email: 'ada.canary-1815@example.org', newEmail: 'ada.canary-1843@example.org' };
const GRACE = { name: 'Grace Hopper', email: 'grace@example.org' };

/** One SQLite file (the events and read models, or the keys) and how often it holds Ada's data. */
export interface FileScan {
  file: string;
  places: number;
}

export interface Story {
  lines: string[];
  adaId: string;
  graceId: string;
  /** Ada's subject access export, before the forget and after. */
  exportBefore: SubjectExport;
  exportAfter: SubjectExport;
  receipt: ErasureReceipt;
  receiptVerifies: boolean;
  /** The authors read model before the forget and after. */
  adaBefore: AuthorView | undefined;
  adaAfter: AuthorView | undefined;
  graceAfter: AuthorView | undefined;
  /** Ada's posts in the posts read model after the forget. */
  adasPostsAfter: PostView[];
  /** Whether Ada's name and email read as the erased marker in her stream after the forget. */
  streamErased: boolean;
  /** Grace's name as her stream reads after the forget. */
  graceStreamName: unknown;
  /** The post loaded from its snapshot after the forget: its author and how many events were folded. */
  snapshotPost: { authorId: string; eventsApplied: number };
  /** Ada's name, rows of the authors table holding it (read with SQL) before the forget. */
  tableRowsBefore: number;
  scanBefore: FileScan[];
  scanAfter: FileScan[];
}

/** Tells the story in `folder` (made and removed when not given), printing each line with `print`. */
export async function main(folder?: string, print: (line: string) => void = console.log): Promise<Story> {
  const temporary = folder === undefined;
  const dir = folder ?? (await mkdtemp(join(tmpdir(), 'eventline-10-')));
  try {
    return await tell(dir, print);
  } finally {
    if (temporary) await rm(dir, { recursive: true, force: true });
  }
}

async function tell(dir: string, print: (line: string) => void): Promise<Story> {
  const { lines, say } = storyteller(print);
  const storeUrl = `sqlite:${join(dir, 'blog.db')}`;
  // The KEK: from a key file made on first use, never from the reader's environment. In
  // production it comes from EVENTLINE_KEK (a secret manager), kept apart from the data.
  const kek = await loadKek({ env: {}, keyFile: join(dir, 'eventline.kek'), warn: () => {} });
  const keyStorage = await openKeyStorage(storeUrl); // keys.db beside blog.db
  const privacy = await openPrivacy({ keyStorage, kek: kek.key, personalData: authorPersonalData });
  const store = await openEventStore(storeUrl, { payloads: privacy.guard });
  await privacy.attach(store);
  const projections = [authorsProjection, postsProjection];
  const running = startProjections(store, projections, { pollIntervalMs: 50 });
  const caughtUp = async (position: number) => {
    for (const { name } of projections) await running.waitFor(name, position, 10_000);
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await running.stop();
    await store.close();
    await keyStorage.close();
  };
  const authors = authorQueries(store.readModels);
  const posts = postQueries(store.readModels);
  const show = (view: AuthorView | undefined) => (view === undefined ? 'absent' : view.forgotten ? `${view.name} (forgotten: no name, no email)` : `${view.name} <${view.email}>`);

  try {
    say(`Erasure by crypto-shredding in ${dir}`);
    say();
    const adaId = newAuthorId();
    const graceId = newAuthorId();
    await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId: adaId, ...pick(ADA) });
    await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId: graceId, ...GRACE });
    await handleAuthorCommand(store, { type: 'ChangeAuthorProfile', authorId: adaId, email: ADA.newEmail });
    say(`Registered ${adaId} (${ADA.name}) and ${graceId} (${GRACE.name}); Ada changed her email.`);

    const commands: PostCommand[] = [
      { type: 'CreatePost', postId: 'engines', title: 'Notes on the Analytical Engine', body: '…', authorId: adaId },
      { type: 'CreatePost', postId: 'loops', title: 'Repeating a group of operations', body: '…', authorId: adaId },
      { type: 'CreatePost', postId: 'bugs', title: 'A moth in relay 70', body: '…', authorId: graceId },
      { type: 'PublishPost', postId: 'engines' },
    ];
    let last = 0;
    for (const command of commands) last = (await handlePostCommand(store, command)).lastPosition;
    // One more command with a snapshot policy that takes one at once: a post's snapshot holds its author's id, never a name.
    const snapshots = { schemaVersion: POST_SNAPSHOT_SCHEMA_VERSION, policy: everyNEvents(1) };
    last = (await handlePostCommand(store, { type: 'EditPost', postId: 'engines', body: 'Notes, revised.' }, { snapshots })).lastPosition;
    const snapshot = await store.snapshots.load(postStreamId('engines'));
    say(`Ada wrote 2 posts, Grace 1; post-engines has a snapshot at version ${snapshot?.version}.`);
    await caughtUp(last);

    const adaBefore = await authors.author(adaId);
    say();
    say('Before the forget:');
    say(`  authors read model   ${show(adaBefore)} | ${show(await authors.author(graceId))}`);
    for (const post of (await posts.postsByAuthor({ authorId: adaId })).items) say(`  ${post.postId.padEnd(8)} "${post.title}" by ${adaBefore?.name}`);
    const tableRowsBefore = await rowsHolding(store, ADA.name);
    const scanBefore = await scan(dir);
    say(`  the authors table holds "${ADA.name}" in ${tableRowsBefore} row, in the clear; Ada's data in the files: ${listed(scanBefore)}`);

    say();
    const exportBefore = await privacy.exportSubject(store, adaId);
    say(`Subject access export of ${adaId} (${exportBefore.fields.length} fields):`);
    for (const field of exportBefore.fields) say(`  ${field.type} at ${field.position} ${field.path} (${field.category}): ${JSON.stringify(field.value)}`);

    say();
    const forgotten = await forgetAuthor(store, privacy, adaId);
    const { receipt } = forgotten;
    const receiptVerifies = privacy.verifyReceipt(receipt);
    say(`Forgot ${adaId}. The receipt, appended to the log:`);
    say(`  subject ${receipt.subjectHash.slice(0, 16)}…, categories ${receipt.categories === null ? 'all' : receipt.categories.join(', ')}, ${receipt.keyIds.length} keys deleted, at ${new Date(receipt.at).toISOString()}, MAC ${receiptVerifies ? 'verifies' : 'does NOT verify'}`);
    await caughtUp(forgotten.lastPosition);

    say();
    say('After the forget:');
    const adaAfter = await authors.author(adaId);
    const graceAfter = await authors.author(graceId);
    say(`  authors read model   ${show(adaAfter)} | ${show(graceAfter)}`);
    const adasPostsAfter = (await posts.postsByAuthor({ authorId: adaId })).items;
    for (const post of adasPostsAfter) say(`  ${post.postId.padEnd(8)} "${post.title}" by ${adaAfter?.name} (${post.status})`);
    const adaStream = await store.readStream(adaId);
    const streamErased = adaStream.every((event) => event.type === 'AuthorForgotten' || Object.entries(event.data as Record<string, unknown>).every(([key, value]) => key === 'authorId' || isErased(value)));
    say(`  Ada's stream         ${adaStream.map((event) => `${event.type} ${JSON.stringify(event.data)}`).join('; ')}`);
    const graceStreamName = ((await store.readStream(graceId))[0]?.data as { name?: unknown } | undefined)?.name;
    say(`  Grace's stream       AuthorRegistered name ${JSON.stringify(graceStreamName)}`);
    const loaded = await loadState(store, postStreamId('engines'), postDecider, { snapshots });
    const snapshotPost = { authorId: loaded.state.status === 'absent' ? '' : loaded.state.authorId, eventsApplied: loaded.eventsApplied };
    say(`  post-engines         loaded from its snapshot (${snapshotPost.eventsApplied} events folded), author ${snapshotPost.authorId}`);
    const exportAfter = await privacy.exportSubject(store, adaId);
    // The subject index (where Ada's fields were) went with her keys: the export finds nothing to show.
    say(`  export of Ada        forgotten: ${exportAfter.forgotten === 'all' ? 'all categories' : exportAfter.forgotten.join(', ')}; ${exportAfter.fields.length} fields`);

    // Closing checkpoints the -wal file into the database and removes it; the key storage
    // checkpoints after every erase on its own.
    await close();
    const scanAfter = await scan(dir);
    say();
    say(`A scan of the SQLite files for Ada's name and emails (UTF-8 and UTF-16):`);
    for (const { file, places } of scanAfter) say(`  ${file.padEnd(16)} ${places} places`);

    return {
      lines, adaId, graceId, exportBefore, exportAfter, receipt, receiptVerifies, adaBefore, adaAfter, graceAfter,
      adasPostsAfter, streamErased, graceStreamName, snapshotPost, tableRowsBefore, scanBefore, scanAfter,
    };
  } finally {
    await close();
  }
}

const pick = ({ name, email }: typeof ADA) => ({ name, email });

/** Rows of the authors read model holding `text` in the clear, read with SQL. */
async function rowsHolding(store: EventStore, text: string): Promise<number> {
  const tables = { authors: store.readModels.table('authors') };
  const rows = await store.readModels.transaction(tables, (db) => db.all('SELECT author_id FROM {authors} WHERE name = $1 OR email = $1', [text]));
  return rows.length;
}

/** Every SQLite file in `dir` (the database, its -wal and -shm, and keys.db with its own), with the places it holds Ada's data. */
export async function scan(dir: string): Promise<FileScan[]> {
  const needles = [ADA.name, ADA.email, ADA.newEmail].flatMap((text) => [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')]);
  const files = (await readdir(dir)).filter((file) => /\.db(-wal|-shm)?$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(join(dir, file));
      return { file, places: needles.reduce((sum, needle) => sum + occurrences(bytes, needle), 0) };
    }),
  );
}

function occurrences(haystack: Buffer, needle: Buffer): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

const listed = (scans: FileScan[]) => scans.map(({ file, places }) => `${file} ${places}`).join(', ');

// Unlike the other examples this one takes a folder, not a store URL: it scans SQLite files.
// Like them, it starts from an empty store.
await tellInFolderWhenRun(import.meta.url, 'the story scans its SQLite files', main);
