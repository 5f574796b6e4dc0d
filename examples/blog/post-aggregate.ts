// The post in the class-based style: the same state, events and rules as the decider
// (decide.ts), held by an object whose methods are the commands. Both call the rules
// in rules.ts and the checks in validation.ts, so an invariant is written once.
// examples/06-aggregate compares the two styles.

import { Aggregate, createRepository, type EventStore, type Repository, type SnapshotOptions } from '../../src/index.js';
import { postStreamId, type CreatePost, type EditPost } from './commands.js';
import type { PostEvent, PostStreamEvent } from './events.js';
import { evolve } from './evolve.js';
import { assertEditChangesSomething, assertIsPublished, assertMayBePublished, assertPostExists, assertPostIsNew } from './rules.js';
import { initialState, type PostState } from './state.js';
import { parsePostCommand } from './validation.js';

/**
 * @example
 * const posts = postRepository(store);
 * const post = await posts.load('hello');
 * post.create({ title: 'Hello', body: '…', authorId: 'ada' });
 * post.publish();
 * await posts.save(post); // appends PostWasCreated and PostWasPublished
 */
export class PostAggregate extends Aggregate<PostState, PostEvent> {
  constructor(postId: string) {
    super(postId, initialState());
  }

  // A loaded post's stream may begin with a StreamCompacted event (a prune's).
  evolve(state: PostState, event: PostStreamEvent): PostState {
    return evolve(state, event);
  }

  create(fields: Omit<CreatePost, 'type' | 'postId'>): void {
    const { postId, title, body, authorId } = parsePostCommand({ ...fields, type: 'CreatePost', postId: this.id }) as CreatePost;
    assertPostIsNew(this.state);
    this.apply({ type: 'PostWasCreated', data: { postId, title, body, authorId } });
  }

  edit(changes: Omit<EditPost, 'type' | 'postId'>): void {
    const command = parsePostCommand({ ...changes, type: 'EditPost', postId: this.id }) as EditPost;
    const post = this.state;
    assertPostExists(post);
    const title = command.title ?? post.title;
    const body = command.body ?? post.body;
    assertEditChangesSomething(post, title, body);
    this.apply({ type: 'PostWasEdited', data: { postId: this.id, title, body } });
  }

  publish(): void {
    const post = this.state;
    assertPostExists(post);
    assertMayBePublished(post);
    this.apply({ type: 'PostWasPublished', data: { postId: this.id } });
  }

  unpublish(): void {
    const post = this.state;
    assertPostExists(post);
    assertIsPublished(post);
    this.apply({ type: 'PostWasUnpublished', data: { postId: this.id } });
  }
}

/** Posts by id, each in its stream `post-<id>`; snapshots when asked for. */
export function postRepository(store: EventStore, snapshots?: SnapshotOptions): Repository<PostAggregate> {
  return createRepository(store, {
    create: (postId) => new PostAggregate(postId),
    streamIdOf: postStreamId,
    ...(snapshots && { snapshots }),
  });
}
