// The blog as a CQRS application: two sides that share only the event store. The
// write side takes commands and appends events (examples/blog); the read side answers
// queries from read models (examples/blog/read-side). Projections carry the events
// from one to the other, a moment later; a caller that must see its own write waits
// for them to pass its command's position.

import { startProjections, type CommandResult, type EventStore, type Projections } from '../../src/index.js';
import { handlePostCommand, type PostCommand, type PostState } from '../blog/index.js';
import { postQueries, projections, type PostQueries } from '../blog/read-side/index.js';

export interface SendOptions {
  /** Wait until every read model has this command's events before returning. Default false. */
  readYourWrites?: boolean;
  /** How long to wait for them. Default 5000 ms. */
  timeoutMs?: number;
}

export interface BlogApp {
  /** The write side: a command in, the events it recorded out. It never reads a read model. */
  send(command: PostCommand, options?: SendOptions): Promise<CommandResult<PostState>>;
  /** The read side: questions answered from read models only. It never reads an event. */
  readonly queries: PostQueries;
  /** The projections between the two sides: status, waitFor, rebuild. */
  readonly projections: Projections;
  stop(): Promise<void>;
}

/**
 * @example
 * const blog = startBlog(store);
 * await blog.send({ type: 'PublishPost', postId: 'hello' }, { readYourWrites: true });
 * await blog.queries.publishedPosts(); // includes hello
 */
export function startBlog(store: EventStore): BlogApp {
  const running = startProjections(store, projections, { pollIntervalMs: 200 });
  return {
    async send(command, { readYourWrites = false, timeoutMs = 5000 } = {}) {
      const result = await handlePostCommand(store, command);
      if (readYourWrites) {
        for (const { name } of projections) await running.waitFor(name, result.lastPosition, timeoutMs);
      }
      return result;
    },
    queries: postQueries(store.readModels),
    projections: running,
    stop: () => running.stop(),
  };
}
