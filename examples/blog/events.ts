// The facts of the blog, named in the past tense: once appended they are never
// changed, and a post's state is whatever they add up to.

export interface PostWasCreated {
  type: 'PostWasCreated';
  data: { postId: string; title: string; body: string; authorId: string };
}

/** Carries the whole new title and body, so a reader never needs the previous event. */
export interface PostWasEdited {
  type: 'PostWasEdited';
  data: { postId: string; title: string; body: string };
}

export interface PostWasPublished {
  type: 'PostWasPublished';
  data: { postId: string };
}

export interface PostWasUnpublished {
  type: 'PostWasUnpublished';
  data: { postId: string };
}

export type PostEvent = PostWasCreated | PostWasEdited | PostWasPublished | PostWasUnpublished;
