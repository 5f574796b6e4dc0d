// What someone asks of the blog, named in the imperative. A command may be refused;
// an event, once written, has happened.

export interface CreatePost {
  type: 'CreatePost';
  postId: string;
  title: string;
  body: string;
  authorId: string;
}

/** Gives a new title, a new body, or both. */
export interface EditPost {
  type: 'EditPost';
  postId: string;
  title?: string;
  body?: string;
}

export interface PublishPost {
  type: 'PublishPost';
  postId: string;
}

export interface UnpublishPost {
  type: 'UnpublishPost';
  postId: string;
}

export type PostCommand = CreatePost | EditPost | PublishPost | UnpublishPost;

export const POST_COMMAND_TYPES = ['CreatePost', 'EditPost', 'PublishPost', 'UnpublishPost'] as const;

/** Every post is one stream. */
export function postStreamId(postId: string): string {
  return `post-${postId}`;
}
