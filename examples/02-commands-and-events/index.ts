// Commands and events: a command asks, the decider answers with events or a refusal,
// and only events are stored. Run: npx tsx examples/02-commands-and-events/index.ts

import { DomainError, openEventStore, type RecordedEvent } from '../../src/index.js';
import { handlePostCommand, postStreamId, type PostCommand } from '../blog/index.js';
import { storyteller, tellWhenRun } from '../story.js';

export interface Outcome {
  command: PostCommand;
  /** The events the command appended; empty when it was refused. */
  events: RecordedEvent[];
  /** The error code and message when it was refused. */
  refused?: { code: string; message: string };
}

export interface Story {
  lines: string[];
  outcomes: Outcome[];
  /** The post's stream at the end. */
  stream: RecordedEvent[];
  /** Every event in the store at the end. */
  eventsInStore: number;
}

/** Tells the story on `storeUrl` (an empty store), printing each line with `print`. */
export async function main(storeUrl = 'memory:', print: (line: string) => void = console.log): Promise<Story> {
  const { lines, say } = storyteller(print);
  const store = await openEventStore(storeUrl);
  try {
    say(`Commands and events on ${storeUrl}`);
    say();
    const commands: PostCommand[] = [
      { type: 'CreatePost', postId: 'hello', title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' },
      { type: 'PublishPost', postId: 'hello' },
      { type: 'PublishPost', postId: 'hello' },
      { type: 'PublishPost', postId: 'missing' },
    ];
    const outcomes: Outcome[] = [];
    for (const command of commands) {
      const outcome = await attempt(command);
      outcomes.push(outcome);
      say(describeOutcome(outcome));
    }

    const stream = await store.readStream(postStreamId('hello'));
    const { events: eventsInStore } = await store.stats();
    say();
    say(`${postStreamId('hello')} holds ${stream.length} events: ${stream.map((e) => e.type).join(', ')}.`);
    say(`${postStreamId('missing')} holds none; refused commands write nothing.`);
    return { lines, outcomes, stream, eventsInStore };
  } finally {
    await store.close();
  }

  async function attempt(command: PostCommand): Promise<Outcome> {
    try {
      const { events } = await handlePostCommand(store, command);
      return { command, events };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { command, events: [], refused: { code: error.code, message: error.message } };
    }
  }
}

function describeOutcome({ command, events, refused }: Outcome): string {
  const asked = `${command.type} ${command.postId}`.padEnd(20);
  if (refused) return `${asked} → refused: ${refused.message} (${refused.code})`;
  return `${asked} → ${events.map((e) => `${e.type} at ${e.streamId} v${e.version}`).join(', ')}`;
}

await tellWhenRun(import.meta.url, main);
