// What the blog needs to know about a post to judge the next command: whether it
// exists, where it is on its way to being published, and the text an edit would change.

/**
 * draft → published directly, or draft → in_review → scheduled → published through an
 * editor's review; a rejected review returns the post to draft.
 */
export type PostStatus = 'draft' | 'in_review' | 'scheduled' | 'published';

export const POST_STATUSES: readonly PostStatus[] = ['draft', 'in_review', 'scheduled', 'published'];

/** An open review, then a closed one once it rejected the post. */
export interface Review {
  /** ISO time; set once the review has started. */
  deadline?: string;
  /** Why the review rejected the post; set, the review is closed and takes no other answer. */
  rejection?: string;
}

export interface Post {
  status: PostStatus;
  postId: string;
  title: string;
  body: string;
  authorId: string;
  /** While in review. */
  review?: Review;
  /** How many times it was submitted for review. */
  reviews?: number;
  /** While scheduled: when to publish (ISO time), or null for as soon as possible. */
  publishAt?: string | null;
}

export type PostState = { status: 'absent' } | Post;

/**
 * The version of PostState's shape, which snapshots and compactions of a post carry.
 * Still 1 since the review came: its fields are optional, so a state kept before (a draft
 * or a published post) has the shape PostState gives such a post today. A snapshot of
 * another version is ignored (it is a cache), but a compaction is refused: it is all that
 * is left of the events it replaced, so a new shape needs a way to read the old one.
 */
export const POST_STATE_VERSION = 1;

export function initialState(): PostState {
  return { status: 'absent' };
}
