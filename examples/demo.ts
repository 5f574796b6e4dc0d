// `npm run demo`: the blog story told on a real store (SQLite by default, or the URL in
// EVENTLINE_STORE). Every run uses fresh post ids, so it can be run again and again
// on the same file: the store only grows.

import { pathToFileURL } from 'node:url';
import { DomainError, defaultStoreUrl, loadState, openEventStore, uuidv7, type EventStore, type RecordedEvent } from '../src/index.js';
import { handlePostCommand, postDecider, postStreamId, type PostCommand } from './blog/index.js';
import { storyteller } from './story.js';

interface Step {
  who: string;
  does: string;
  command: PostCommand;
}

export interface PostRow {
  id: string;
  title: string;
  author: string;
  status: string;
  version: number;
}

export interface DemoResult {
  lines: string[];
  /** Every event this run appended, in position order. */
  events: RecordedEvent[];
  /** The posts of this run, folded from their streams. */
  posts: PostRow[];
  /** The messages of the commands that were refused. */
  refusals: string[];
}

export async function main(storeUrl = defaultStoreUrl(), print: (line: string) => void = console.log): Promise<DemoResult> {
  const { lines, say } = storyteller(print);

  const run = uuidv7().slice(-6);
  const hello = `hello-${run}`;
  const notes = `notes-${run}`;
  const steps: Step[] = [
    { who: 'ada', does: 'creates', command: { type: 'CreatePost', postId: hello, title: 'Hello, Eventline', body: 'Every change is an event.', authorId: 'ada' } },
    { who: 'grace', does: 'creates', command: { type: 'CreatePost', postId: notes, title: 'Notes on streams', body: 'One stream per post.', authorId: 'grace' } },
    { who: 'ada', does: 'retitles', command: { type: 'EditPost', postId: hello, title: 'Hello again, Eventline' } },
    { who: 'ada', does: 'publishes', command: { type: 'PublishPost', postId: hello } },
    { who: 'grace', does: 'publishes', command: { type: 'PublishPost', postId: notes } },
    { who: 'grace', does: 'unpublishes', command: { type: 'UnpublishPost', postId: notes } },
    { who: 'ada', does: 'publishes again', command: { type: 'PublishPost', postId: hello } },
  ];

  const store = await openEventStore(storeUrl);
  try {
    say(`Eventline demo on ${storeUrl}`);
    say();
    const events: RecordedEvent[] = [];
    const refusals: string[] = [];
    const story: string[][] = [];
    for (const { who, does, command } of steps) {
      try {
        const result = await handlePostCommand(store, command);
        events.push(...result.events);
        story.push([who, does, command.postId, result.events.map((e) => `${e.type} v${e.version}`).join(', ')]);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        refusals.push(error.message);
        story.push([who, does, command.postId, `refused: ${error.message}`]);
      }
    }
    table(say, ['WHO', 'DOES', 'POST', 'OUTCOME'], story);

    say();
    say('Events of this run');
    events.sort((a, b) => a.position - b.position);
    const eventRows = events.map((e) => [e.streamId, String(e.version), String(e.position), e.type, JSON.stringify(e.data)]);
    table(say, ['STREAM', 'VERSION', 'POSITION', 'TYPE', 'DATA'], eventRows, [1, 2]);

    say();
    say('Posts, folded from their streams');
    const posts = await Promise.all([hello, notes].map((id) => loadPost(store, id)));
    table(
      say,
      ['ID', 'TITLE', 'AUTHOR', 'STATUS', 'VERSION'],
      posts.map((p) => [p.id, p.title, p.author, p.status, String(p.version)]),
      [4],
    );
    return { lines, events, posts, refusals };
  } finally {
    await store.close();
  }
}

async function loadPost(store: EventStore, postId: string): Promise<PostRow> {
  const { state, version } = await loadState(store, postStreamId(postId), postDecider);
  if (state.status === 'absent') return { id: postId, title: '', author: '', status: 'absent', version };
  return { id: postId, title: state.title, author: state.authorId, status: state.status, version };
}

// A terminal's width, or a wide page when the output goes to a file or a test.
const LINE_WIDTH = process.stdout.isTTY ? process.stdout.columns : 120;

/**
 * Prints rows under a header, columns padded to their widest cell; `right` lists the
 * numeric columns. The last column is cut to the line width, so no row wraps.
 */
function table(say: (line: string) => void, header: string[], rows: string[][], right: number[] = []): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const last = header.length - 1;
  const before = 2 + widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
  const room = Math.max(LINE_WIDTH - before - 1, 20);
  const cut = (cell: string) => (cell.length <= room ? cell : `${cell.slice(0, room - 1)}…`);
  const line = (cells: string[]) =>
    '  ' +
    cells
      .map((cell, i) => (right.includes(i) ? cell.padStart(widths[i]!) : i === last ? cut(cell) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  say(line(header));
  for (const row of rows) say(line(row));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await main();
  } catch (error) {
    console.error(`eventline demo: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
