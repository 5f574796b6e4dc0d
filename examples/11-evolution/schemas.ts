// The blog's PostWasCreated as it evolves, declared once: v1 is the blog's own shape
// (examples/blog/events.ts), v2 adds tags, v3 splits the author id into a reference to
// the author's stream. The store upcasts every older event to v3 as it reads it. This
// module is also what `eventline contracts` loads: it exports `schemas` and `examples`.

import { defineEventSchemas } from '../../src/index.js';

export interface PostWasCreatedV1 {
  postId: string;
  title: string;
  body: string;
  authorId: string;
}

export interface PostWasCreatedV2 extends PostWasCreatedV1 {
  tags: string[];
}

/** An author named by their id and the stream their events are in. */
export interface AuthorReference {
  id: string;
  stream: string;
}

export interface PostWasCreatedV3 {
  postId: string;
  title: string;
  body: string;
  tags: string[];
  author: AuthorReference;
}

export const schemas = defineEventSchemas<{ PostWasCreated: PostWasCreatedV3 }>({
  PostWasCreated: {
    version: 3,
    upcast: {
      // A post written before tags existed has none.
      1: (data: PostWasCreatedV1): PostWasCreatedV2 => ({ ...data, tags: [] }),
      2: ({ authorId, ...rest }: PostWasCreatedV2): PostWasCreatedV3 => ({ ...rest, author: { id: authorId, stream: `author-${authorId}` } }),
    },
    validate: (data) =>
      typeof data.author?.id === 'string' && data.author.stream === `author-${data.author.id}` && Array.isArray(data.tags)
        ? undefined
        : 'needs tags and an author reference to the author stream',
  },
});

/** One event of each type at its current version: what the approved contract fixtures are made from. */
export const examples = [
  {
    type: 'PostWasCreated',
    data: { postId: 'hello', title: 'Hello', body: 'The first post.', tags: ['news'], author: { id: 'ada', stream: 'author-ada' } } satisfies PostWasCreatedV3,
  },
];
