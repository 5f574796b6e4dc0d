// The post as a class keeps the same rules as the post as a decider. A few stories
// first, then the proof: for many random command histories, the class (through a
// repository) and the decider (through handleCommand) write the same events and
// refuse the same commands with the same errors.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handleCommand, openEventStore, type EventStore } from '../../../src/index.js';
import { postDecider, postRepository, postStreamId, type PostCommand } from '../../../examples/blog/index.js';

const hello = { title: 'Hello, Eventline', body: 'The first post.', authorId: 'ada' };

describe('the post aggregate', () => {
  test('given a new post, when it is created and published, then save appends both events', async () => {
    const store = await openEventStore('memory:');
    const posts = postRepository(store);
    const post = await posts.load('hello');
    post.create(hello);
    post.publish();
    await posts.save(post);
    assert.deepEqual((await store.readStream('post-hello')).map((e) => e.type), ['PostWasCreated', 'PostWasPublished']);
    assert.equal((await posts.load('hello')).state.status, 'published');
  });

  test('publishing a published post is refused: "Post is already published"', async () => {
    const store = await openEventStore('memory:');
    const posts = postRepository(store);
    const post = await posts.load('hello');
    post.create(hello);
    post.publish();
    assert.throws(() => post.publish(), { name: 'DomainError', message: 'Post is already published' });
    assert.equal(post.pendingEvents.length, 2);
  });

  test('editing a post that does not exist is refused: "Post does not exist"', async () => {
    const post = await postRepository(await openEventStore('memory:')).load('missing');
    assert.throws(() => post.edit({ title: 'New' }), { name: 'NotFoundError', message: 'Post does not exist' });
  });

  test('its commands are checked like the decider\'s: a blank title is a ValidationError naming title', async () => {
    const post = await postRepository(await openEventStore('memory:')).load('hello');
    assert.throws(() => post.create({ ...hello, title: '  ' }), { name: 'ValidationError', field: 'title' });
    assert.throws(() => post.create({ ...hello, extra: 1 } as never), { name: 'ValidationError', field: 'extra' });
  });
});

/** A tiny seeded PRNG (an LCG): the same seed, the same history. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** The commands the class has methods for; the review's are the decider's only. */
type AggregateCommand = Extract<PostCommand, { type: 'CreatePost' | 'EditPost' | 'PublishPost' | 'UnpublishPost' }>;

function randomCommand(random: () => number): AggregateCommand {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const title = pick(['Hello', 'Hello again', ' Hello ', '']);
  const body = pick(['One.', 'Two.']);
  switch (pick(['create', 'edit', 'editBody', 'publish', 'unpublish'] as const)) {
    case 'create':
      return { type: 'CreatePost', postId: 'p', title, body, authorId: 'ada' };
    case 'edit':
      return { type: 'EditPost', postId: 'p', title };
    case 'editBody':
      return { type: 'EditPost', postId: 'p', body };
    case 'publish':
      return { type: 'PublishPost', postId: 'p' };
    case 'unpublish':
      return { type: 'UnpublishPost', postId: 'p' };
  }
}

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

async function eventsOf(store: EventStore): Promise<unknown[]> {
  return (await store.readStream(postStreamId('p'))).map(({ type, data }) => ({ type, data }));
}

test('for 200 random histories, the class and the decider write the same events and refuse alike', async () => {
  for (let history = 0; history < 200; history++) {
    const random = seeded(history);
    const deciderStore = await openEventStore('memory:');
    const classStore = await openEventStore('memory:');
    const posts = postRepository(classStore);
    for (let step = 0; step < 8; step++) {
      const command = randomCommand(random);
      const viaDecider = await outcome(() => handleCommand(deciderStore, postStreamId('p'), postDecider, command));
      const viaClass = await outcome(async () => {
        const post = await posts.load('p');
        const { type: _type, postId: _postId, ...fields } = command;
        if (command.type === 'CreatePost') post.create(fields as Parameters<typeof post.create>[0]);
        if (command.type === 'EditPost') post.edit(fields);
        if (command.type === 'PublishPost') post.publish();
        if (command.type === 'UnpublishPost') post.unpublish();
        await posts.save(post);
      });
      assert.equal(viaClass, viaDecider, `history ${history}, step ${step}: ${JSON.stringify(command)}`);
    }
    assert.deepEqual(await eventsOf(classStore), await eventsOf(deciderStore), `history ${history}`);
  }
});
