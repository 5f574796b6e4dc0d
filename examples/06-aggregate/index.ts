// Aggregates: the same post, written in the two styles Eventline supports. The
// decider is three functions handleCommand runs; the class keeps state and rules in
// one object, loaded and saved by a repository. Run: npx tsx examples/06-aggregate/index.ts

import { ConcurrencyError, DomainError, handleCommand, openEventStore, type RecordedEvent } from '../../src/index.js';
import { postDecider, postRepository, postStreamId, type PostCommand } from '../blog/index.js';
import { storyteller, tellWhenRun } from '../story.js';

export interface Story {
  lines: string[];
  /** The streams each style wrote. */
  deciderStream: RecordedEvent[];
  classStream: RecordedEvent[];
  /** What each style refused, as messages. */
  refusals: string[];
  /** The stale save of the class style. */
  conflict: { expected: unknown; actual: number };
}

const hello = { title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' };

/** Tells the story on `storeUrl` (an empty store), printing each line with `print`. */
export async function main(storeUrl = 'memory:', print: (line: string) => void = console.log): Promise<Story> {
  const { lines, say } = storyteller(print);
  const refusals: string[] = [];
  const store = await openEventStore(storeUrl);
  try {
    say(`Aggregates on ${storeUrl}`);
    say();
    say('The decider: handleCommand loads, decides, appends, and retries on a conflict.');
    const commands: PostCommand[] = [
      { type: 'CreatePost', postId: 'hello', ...hello },
      { type: 'PublishPost', postId: 'hello' },
      { type: 'PublishPost', postId: 'hello' },
    ];
    for (const command of commands) {
      try {
        const { events } = await handleCommand(store, postStreamId('hello'), postDecider, command);
        say(`  ${command.type.padEnd(12)} → ${events.map((e) => `${e.type} v${e.version}`).join(', ')}`);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        refusals.push(error.message);
        say(`  ${command.type.padEnd(12)} → refused: ${error.message}`);
      }
    }

    say();
    say('The class: a repository loads a PostAggregate, its methods check the rules, save appends.');
    const posts = postRepository(store);
    const post = await posts.load('second');
    post.create({ ...hello, title: 'A second post' });
    post.publish();
    const saved = await posts.save(post);
    say(`  create, publish, save → ${saved.eventsAppended} events, ${saved.streamId} at v${saved.nextExpectedVersion}`);
    try {
      post.publish();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refusals.push(error.message);
      say(`  publish again         → refused: ${error.message}; nothing pending`);
    }

    // Two editors load the same version; the second save is stale and refused.
    const ada = await posts.load('second');
    const bo = await posts.load('second');
    ada.edit({ title: 'A second post, edited' });
    bo.edit({ body: 'Corrected.' });
    await posts.save(ada);
    say(`  ada edits and saves   → ${postStreamId('second')} at v${ada.version}`);
    let conflict: ConcurrencyError;
    try {
      await posts.save(bo);
      throw new Error('the stale save was accepted');
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      conflict = error;
      say(`  bo saves a stale copy → refused: ${error.message}`);
    }
    const retry = await posts.load('second');
    retry.edit({ body: 'Corrected.' });
    await posts.save(retry);
    const both = retry.state.status === 'absent' ? '' : `"${retry.state.title}" / "${retry.state.body}"`;
    say(`  bo loads again, saves → ${postStreamId('second')} at v${retry.version}, keeping both edits: ${both}`);

    const deciderStream = await store.readStream(postStreamId('hello'));
    const classStream = await store.readStream(postStreamId('second'));
    say();
    say(`${postStreamId('hello')}:  ${deciderStream.map((e) => e.type).join(', ')}`);
    say(`${postStreamId('second')}: ${classStream.map((e) => e.type).join(', ')}`);
    say('Same events, same rules (blog/rules.ts): the style is how the code reads, not what it stores.');
    return { lines, deciderStream, classStream, refusals, conflict: { expected: conflict.expected, actual: conflict.actual } };
  } finally {
    await store.close();
  }
}

await tellWhenRun(import.meta.url, main);
