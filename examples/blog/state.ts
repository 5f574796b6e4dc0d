// What the blog needs to know about a post to judge the next command: whether it
// exists, whether it is published, and the text an edit would change.

export interface Post {
  status: 'draft' | 'published';
  postId: string;
  title: string;
  body: string;
  authorId: string;
}

export type PostState = { status: 'absent' } | Post;

export function initialState(): PostState {
  return { status: 'absent' };
}
