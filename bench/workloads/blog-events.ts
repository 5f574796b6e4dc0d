// The events of S1, P1 and P2 in the blog example's own shape (examples/blog/events.ts),
// so its Post decider and its `posts` projection run on them unchanged: a post created,
// then edited, about 0.5 KB of JSON each, as WORKLOADS.md describes.

import type { PostEvent } from '../../examples/blog/events.js';

const WORDS = 'event sourcing keeps every change as a fact and folds the facts into the state of today'.split(' ');
const BODY = Array.from({ length: 64 }, (_, i) => WORDS[i % WORDS.length]).join(' ').slice(0, 400);

export type BlogEvent = Extract<PostEvent, { type: 'PostWasCreated' | 'PostWasEdited' }>;

/** The nth event of a post's stream (n from 1): the first creates, the rest edit. */
export function blogEvent(postId: string, n: number): BlogEvent {
  const title = `Why an append-only log wins, part ${String(n).padStart(6, '0')}`;
  return n === 1
    ? { type: 'PostWasCreated', data: { postId, title, body: BODY, authorId: 'ada@example.com' } }
    : { type: 'PostWasEdited', data: { postId, title, body: BODY } };
}

/** Events n..n+count-1 of one post's stream. */
export function blogEvents(postId: string, from: number, count: number): BlogEvent[] {
  return Array.from({ length: count }, (_, i) => blogEvent(postId, from + i));
}
