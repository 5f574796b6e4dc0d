// The events of every workload (WORKLOADS.md): a post created, then edited, about
// 0.5 KB of JSON each, and the fold W5 runs over them.

// Type aliases, not interfaces: Emmett's event type wants data that is a plain record.
export type PostData = {
  postId: string;
  title: string;
  body: string;
  author: string;
  /** Only W7 sets these, to check that every write landed exactly once. */
  writer?: number;
  seq?: number;
};

export type BenchEvent = {
  type: 'PostWasCreated' | 'PostWasEdited';
  data: PostData;
};

const WORDS = 'event sourcing keeps every change as a fact and folds the facts into the state of today'.split(' ');
const BODY = Array.from({ length: 64 }, (_, i) => WORDS[i % WORDS.length]).join(' ').slice(0, 400);

/** The nth event of a post's stream (n from 1): the first creates, the rest edit. */
export function postEvent(postId: string, n: number, extra?: { writer: number; seq: number }): BenchEvent {
  return {
    type: n === 1 ? 'PostWasCreated' : 'PostWasEdited',
    data: {
      postId,
      // About 40 characters, different for every event.
      title: `Why an append-only log wins, part ${String(n).padStart(6, '0')}`,
      body: BODY,
      author: 'ada@example.com',
      ...extra,
    },
  };
}

/** E1's events: a post's event naming its author by id, with the author's name and email (the two personal fields). */
export type PersonalPostData = PostData & { authorId: string; authorName: string };

export const PERSONAL_TYPES = ['PostWasCreated', 'PostWasEdited'] as const;

/** The nth event of a post's stream, written by author number `author`: the same event as postEvent, with whose it is. */
export function personalPostEvent(postId: string, n: number, author: number): BenchEvent {
  const { type, data } = postEvent(postId, n);
  return { type, data: { ...data, authorId: `author-${author}`, authorName: `Ada Lovelace ${author}` } as PostData };
}

/** Events n..n+count-1 of one post's stream. */
export function postEvents(postId: string, from: number, count: number): BenchEvent[] {
  return Array.from({ length: count }, (_, i) => postEvent(postId, from + i));
}

export interface PostState {
  postId: string;
  title: string;
  body: string;
  author: string;
  edits: number;
}

export function initialPost(): PostState {
  return { postId: '', title: '', body: '', author: '', edits: 0 };
}

/** W5's fold: what an aggregate does with each event. */
export function evolvePost(state: PostState, event: { type: string; data: unknown }): PostState {
  const data = event.data as PostData;
  switch (event.type) {
    case 'PostWasCreated':
      return { postId: data.postId, title: data.title, body: data.body, author: data.author, edits: 0 };
    case 'PostWasEdited':
      return { ...state, title: data.title, body: data.body, edits: state.edits + 1 };
    default:
      return state;
  }
}
