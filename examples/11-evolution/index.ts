// Event schema evolution: the blog's PostWasCreated gains tags (v2), then an author
// reference (v3). Posts written by the old release stay as they were stored; the new
// release reads every one of them as v3, because its store upcasts as it decodes. Then
// the other way: copying the log into a new store, where every event is written at v3.
// Run: npx tsx examples/11-evolution/index.ts [folder]   (default: a new temporary folder)

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore, SCHEMA_VERSION_KEY, type EventStore } from '../../src/index.js';
import { handlePostCommand, postStreamId } from '../blog/index.js';
import { storyteller, tellInFolderWhenRun } from '../story.js';
import { schemas, type PostWasCreatedV3 } from './schemas.js';

export interface Story {
  lines: string[];
  /** post-hello's PostWasCreated as stored by the old release, and as the new release reads it. */
  storedHello: unknown;
  readHello: unknown;
  /** The version the new release records for a post it creates. */
  newPostVersion: unknown;
  /** The posts a read model of the new release lists: all three in the v3 shape. */
  listed: { postId: string; authorStream: string; tags: string[] }[];
  /** How many PostWasCreated events are stored at each version, in the old store and in its copy. */
  versionsBefore: Record<string, number>;
  versionsInCopy: Record<string, number>;
  /** post-hello's PostWasCreated as stored in the copy. */
  copiedHello: unknown;
}

/** Tells the story in `folder` (a new temporary one by default): `blog.db`, and its copy `blog-v3.db`. */
export async function main(folder?: string, print: (line: string) => void = console.log): Promise<Story> {
  const { lines, say } = storyteller(print);
  const dir = folder ?? (await mkdtemp(join(tmpdir(), 'eventline-11-')));
  const url = `sqlite:${join(dir, 'blog.db')}`;
  const copyUrl = `sqlite:${join(dir, 'blog-v3.db')}`;
  const show = (value: unknown) => JSON.stringify(value);

  // The old release: the blog as it is, with no schemas declared.
  const old = await openEventStore(url);
  const current = await openEventStore(url, { schemas });
  const copy = await openEventStore(copyUrl, { schemas });
  try {
    say(`Schema evolution in ${dir}`);
    say();
    await handlePostCommand(old, { type: 'CreatePost', postId: 'hello', title: 'Hello', body: 'The first post.', authorId: 'ada' });
    await handlePostCommand(old, { type: 'CreatePost', postId: 'second', title: 'Second', body: 'Another.', authorId: 'bo' });
    const storedHello = (await old.readStream(postStreamId('hello')))[0]!.data;
    say(`The old release wrote two posts. post-hello's PostWasCreated is stored as v1: ${show(storedHello)}`);

    // The new release: the same store, opened with the schemas.
    const readHello = (await current.readStream(postStreamId('hello')))[0]!.data;
    say(`The new release reads it as v3: ${show(readHello)}`);
    say('Nothing was rewritten: the old release still reads the v1 it stored.');

    const third: PostWasCreatedV3 = { postId: 'third', title: 'Third', body: 'Tagged.', tags: ['howto'], author: { id: 'ada', stream: 'author-ada' } };
    await current.appendToStream(postStreamId('third'), [{ type: 'PostWasCreated', data: third }], { expectedVersion: 'no_stream' });
    const newPostVersion = (await old.readStream(postStreamId('third')))[0]!.metadata?.[SCHEMA_VERSION_KEY];
    say(`A post the new release creates is stored at v${String(newPostVersion)} (metadata ${SCHEMA_VERSION_KEY}).`);

    const listed: Story['listed'] = [];
    for await (const event of current.readAll({ types: ['PostWasCreated'] })) {
      const { postId, author, tags } = event.data as PostWasCreatedV3;
      listed.push({ postId, authorStream: author.stream, tags });
    }
    say(`A read model of the new release sees every post in one shape: ${listed.map((p) => `${p.postId} by ${p.authorStream}`).join(', ')}.`);
    const versionsBefore = await storedVersions(old);
    say(`Stored versions of PostWasCreated: ${show(versionsBefore)}. Upcasters run on every read of the old ones.`);

    say();
    say('The other way: copy the log into a new store, each event as the new release reads it.');
    for await (const event of current.readAll()) {
      const { streamId, version, eventId, type, data, metadata } = event;
      await copy.appendToStream(streamId, [{ eventId, type, data, ...(metadata && { metadata }) }], { expectedVersion: version - 1 });
    }
    const { versionsInCopy, copiedHello } = await asStored(copyUrl, async (stored) => ({
      versionsInCopy: await storedVersions(stored),
      copiedHello: (await stored.readStream(postStreamId('hello')))[0]!.data,
    }));
    say(`In the copy every PostWasCreated is stored at v3: ${show(versionsInCopy)}, post-hello as ${show(copiedHello)}.`);
    say('Its reads upcast nothing. The price: a pause in writes while it copies, new positions,');
    say('and every read model and checkpoint of the old store rebuilt against the new one.');
    return { lines, storedHello, readHello, newPostVersion, listed, versionsBefore, versionsInCopy, copiedHello };
  } finally {
    await copy.close();
    await current.close();
    await old.close();
  }
}

/** How many PostWasCreated events are at each schema version, read by a store without schemas: as stored. */
async function storedVersions(store: EventStore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const event of store.readAll({ types: ['PostWasCreated'] })) {
    const version = `v${String(event.metadata?.[SCHEMA_VERSION_KEY] ?? 1)}`;
    counts[version] = (counts[version] ?? 0) + 1;
  }
  return counts;
}

/** Runs `read` on the store at `url` opened without schemas, which reads events as they are stored. */
async function asStored<T>(url: string, read: (store: EventStore) => Promise<T>): Promise<T> {
  const store = await openEventStore(url, { create: false });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

// Like 10-erasure, this example takes a folder: it opens two SQLite stores in it.
await tellInFolderWhenRun(import.meta.url, 'the story opens two SQLite stores in it', main);
